#!/usr/bin/env python3
"""Google's own Python clients against the CreatorFlow sandbox.

Shows that google-auth-oauthlib (InstalledAppFlow, loopback redirect, PKCE) and
google-api-python-client (resumable videos.insert in 256 KiB chunks, surviving an
injected 503 and a connection cut mid-upload, thumbnails.set, videos.list,
videos.delete), unchanged, work against the sandbox's YouTube emulator.

    scripts/google-clients.sh      # part of scripts/test.sh

which installs the pinned clients of tests/google-clients.txt into a venv,
starts the sandbox binary on a free port and runs this file against it. By
hand: `python youtube_google_client.py http://127.0.0.1:PORT`.

What is configuration rather than code:
- OAUTHLIB_INSECURE_TRANSPORT=1: oauthlib refuses a plain-http token endpoint.
- The bundled discovery document with its `rootUrl` set to `{base}/youtube/`:
  `client_options.api_endpoint` is not enough for uploads, because the library
  keeps the `https` scheme and drops the path of the endpoint for media URLs
  (googleapiclient.discovery._fix_up_media_path_base_url).
- A `webbrowser` entry that plays the user: it opens the consent URL with urllib,
  which follows the sandbox's redirect to the flow's loopback listener.
"""

import hashlib
import http.client
import json
import os
import sys
import tempfile
import threading
import urllib.request
import webbrowser

os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import googleapiclient  # noqa: E402
import httplib2  # noqa: E402
from google.auth.transport.requests import Request  # noqa: E402
from google_auth_oauthlib.flow import InstalledAppFlow  # noqa: E402
from googleapiclient.discovery import build_from_document  # noqa: E402
from googleapiclient.errors import HttpError  # noqa: E402
from googleapiclient.http import MediaFileUpload  # noqa: E402

CLIENT_ID = "creatorflow-sandbox-youtube.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-creatorflow-sandbox-youtube"
SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/youtube.force-ssl",
]


class SandboxUser(webbrowser.BaseBrowser):
    """Opens the authorization URL like a browser whose user clicks "Allow"."""

    def open(self, url, new=0, autoraise=True):
        def visit():
            with urllib.request.urlopen(url) as resp:  # follows the 302 to the flow
                resp.read()

        threading.Thread(target=visit, daemon=True).start()
        return True


def control(base, path, body=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base + path,
        data=data,
        method=method or ("POST" if data else "GET"),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


def main(base):
    base = base.rstrip("/")
    control(base, "/_sandbox/consent", {"mode": "approve"})
    control(base, "/_sandbox/settings/youtube", {"audited": True})

    # 1. OAuth: InstalledAppFlow on a loopback port, PKCE S256, client secret.
    webbrowser.register("sandbox-user", None, SandboxUser())
    flow = InstalledAppFlow.from_client_config(
        {
            "installed": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "auth_uri": base + "/youtube/o/oauth2/auth",
                "token_uri": base + "/youtube/token",
                "redirect_uris": ["http://127.0.0.1"],
            }
        },
        scopes=SCOPES,
    )
    creds = flow.run_local_server(
        host="127.0.0.1",
        port=0,
        browser="sandbox-user",
        access_type="offline",
        prompt="consent",
        timeout_seconds=30,
    )
    assert creds.refresh_token, "a refresh token on first consent"
    old = creds.token
    creds.refresh(Request())
    assert creds.token != old, "refresh gives a new access token"
    print("oauth: ok (refresh token, refresh)")

    # 2. The API client, from the bundled discovery document pointed at the sandbox.
    doc_path = os.path.join(
        os.path.dirname(googleapiclient.__file__),
        "discovery_cache",
        "documents",
        "youtube.v3.json",
    )
    with open(doc_path) as f:
        doc = json.load(f)
    doc["rootUrl"] = base + "/youtube/"
    youtube = build_from_document(doc, credentials=creds)

    me = youtube.channels().list(part="snippet", mine=True).execute()
    print("channel:", me["items"][0]["snippet"]["title"])

    # 3. Resumable upload in 256 KiB chunks, the loop of Google's upload_video.py
    #    sample: retry 5xx and dropped connections. The sandbox answers the second
    #    PUT with a 503 and cuts the connection after the fourth (the chunk is
    #    stored); the client then asks for the state (`bytes */TOTAL`) and resumes.
    data = os.urandom(5 * 262_144 + 12_345)
    with tempfile.NamedTemporaryFile(suffix=".mp4", delete=False) as f:
        f.write(data)
        video_path = f.name
    media = MediaFileUpload(
        video_path, mimetype="video/mp4", chunksize=262_144, resumable=True
    )
    request = youtube.videos().insert(
        part="snippet,status",
        body={
            "snippet": {"title": "From google-api-python-client", "categoryId": "22"},
            "status": {"privacyStatus": "unlisted"},
        },
        media_body=media,
    )
    upload_path = "/youtube/upload/youtube/v3/videos"
    response = None
    calls = retries = 0
    while response is None:
        calls += 1
        if calls == 2:
            control(base, "/_sandbox/faults", {"method": "PUT", "path": upload_path,
                    "fault": {"kind": "status", "status": 503}})
        if calls == 5:
            control(base, "/_sandbox/faults", {"method": "PUT", "path": upload_path,
                    "fault": {"kind": "reset_mid_body"}})
        try:
            # No num_retries: the library's own chunk retry re-sends a consumed
            # _StreamSlice (an empty body announced as 262144 bytes).
            status, response = request.next_chunk()
        except HttpError as e:
            if e.resp.status not in (500, 502, 503, 504):
                raise
            retries += 1
        except (httplib2.HttpLib2Error, OSError, http.client.HTTPException):
            retries += 1
    video_id = response["id"]
    assert response["status"]["uploadStatus"] == "uploaded"
    received = control(base, "/_sandbox/received?platform=youtube")
    post = next(p for p in received if p["remote_id"] == video_id)
    assert post["media"][0]["size"] == len(data)
    assert post["media"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert retries == 2, retries
    print(f"upload: ok ({calls} next_chunk calls, a 503 and a reset survived, sha256 matches)")

    # 4. Thumbnail (uploadType=media), list, delete.
    png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x05\0\0\0\x02\xd0\x08\x06\0\0\0" + b"\0" * 1000
    with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
        f.write(png)
        png_path = f.name
    youtube.thumbnails().set(
        videoId=video_id, media_body=MediaFileUpload(png_path, mimetype="image/png")
    ).execute()
    listed = youtube.videos().list(part="status", id=video_id).execute()
    assert listed["items"][0]["status"]["privacyStatus"] == "unlisted"
    youtube.videos().delete(id=video_id).execute()
    try:
        youtube.videos().delete(id=video_id).execute()
        raise AssertionError("second delete must fail")
    except HttpError as e:
        assert e.resp.status == 404 and e.error_details[0]["reason"] == "videoNotFound"
    print("thumbnail, list, delete: ok")
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.environ["SANDBOX_URL"])
