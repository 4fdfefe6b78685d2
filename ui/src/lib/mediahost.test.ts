import { describe, expect, it } from "vitest";
import {
  PROVIDERS,
  applyProvider,
  blankForm,
  configOf,
  describeFiles,
  formOf,
  formProblem,
  isDirty,
  needsSecret,
  testHeadline,
  type MediaHostStatus,
} from "./mediahost";

const saved = (over: Partial<MediaHostStatus> = {}): MediaHostStatus => ({
  config: {
    endpoint: "https://acc.r2.cloudflarestorage.com",
    region: "auto",
    bucket: "cf-media",
    accessKeyId: "AKID",
    pathStyle: true,
    publicBaseUrl: null,
    urlValidityMinutes: 60,
  },
  secretSaved: true,
  hostedFiles: 0,
  deletionsPending: 0,
  notice: null,
  ...over,
});

const nothing: MediaHostStatus = {
  config: null,
  secretSaved: false,
  hostedFiles: 0,
  deletionsPending: 0,
  notice: null,
};

describe("the media host form", () => {
  it("starts blank with presigned links for an hour", () => {
    const f = formOf(nothing);
    expect(f).toEqual(blankForm());
    expect(f.linkMode).toBe("presigned");
    expect(f.urlValidityMinutes).toBe(60);
    expect(isDirty(f, nothing)).toBe(false);
  });

  it("shows what is saved, never a secret", () => {
    const f = formOf(saved());
    expect(f.bucket).toBe("cf-media");
    expect(f.secret).toBe("");
    expect(isDirty(f, saved())).toBe(false);
    expect(isDirty({ ...f, secret: "typed" }, saved())).toBe(true);
    expect(isDirty({ ...f, bucket: "other" }, saved())).toBe(true);
  });

  it("sends trimmed settings, and a public base URL only in public mode", () => {
    const f = {
      ...formOf(saved()),
      endpoint: " https://acc.r2.cloudflarestorage.com ",
      publicBaseUrl: " https://pub-1.r2.dev ",
    };
    expect(configOf(f).endpoint).toBe("https://acc.r2.cloudflarestorage.com");
    expect(configOf(f).publicBaseUrl).toBeNull();
    expect(configOf({ ...f, linkMode: "public" }).publicBaseUrl).toBe("https://pub-1.r2.dev");
    expect(configOf(f)).not.toHaveProperty("secret");
  });

  it("asks for the secret when none is saved or the key ID changed", () => {
    const f = formOf(saved());
    expect(needsSecret(f, saved())).toBe(false);
    expect(formProblem(f, saved())).toBeNull();
    expect(needsSecret({ ...f, accessKeyId: "NEW" }, saved())).toBe(true);
    expect(formProblem({ ...f, accessKeyId: "NEW" }, saved())).toMatch(/secret access key/);
    expect(needsSecret(f, saved({ secretSaved: false }))).toBe(true);
    expect(formProblem({ ...f, accessKeyId: "NEW", secret: "s" }, saved())).toBeNull();
  });

  it("says what is missing in words", () => {
    const f = { ...formOf(saved()) };
    expect(formProblem({ ...f, endpoint: " " }, saved())).toMatch(/endpoint/);
    expect(formProblem({ ...f, region: "" }, saved())).toMatch(/auto for Cloudflare R2/);
    expect(formProblem({ ...f, bucket: "" }, saved())).toMatch(/bucket/);
    expect(formProblem({ ...f, linkMode: "public" }, saved())).toMatch(/public base URL/);
    expect(formProblem({ ...f, urlValidityMinutes: 2 }, saved())).toMatch(/5 minutes to 7 days/);
    expect(formProblem({ ...f, urlValidityMinutes: 10081 }, saved())).toMatch(/7 days/);
    // The validity does not matter with a public base URL.
    expect(
      formProblem(
        { ...f, linkMode: "public", publicBaseUrl: "https://x.dev", urlValidityMinutes: 0 },
        saved(),
      ),
    ).toBeNull();
  });

  it("fills in a provider's region and addressing, keeping what was typed", () => {
    const r2 = PROVIDERS.find((p) => p.id === "r2")!;
    const s3 = PROVIDERS.find((p) => p.id === "s3")!;
    const f = applyProvider({ ...blankForm(), pathStyle: false }, r2);
    expect(f.region).toBe("auto");
    expect(f.pathStyle).toBe(true);
    const g = applyProvider({ ...blankForm(), region: "us-east-2" }, s3);
    expect(g.region).toBe("us-east-2");
    expect(g.pathStyle).toBe(false);
  });
});

describe("the connection test's answer", () => {
  it("names the step that failed", () => {
    expect(
      testHeadline({
        passed: true,
        steps: [
          { step: "upload", passed: true, message: "" },
          { step: "fetch", passed: true, message: "" },
          { step: "delete", passed: true, message: "" },
        ],
        warning: null,
      }),
    ).toBe("Your media host works.");
    expect(
      testHeadline({
        passed: false,
        steps: [
          { step: "upload", passed: true, message: "" },
          { step: "fetch", passed: false, message: "not public" },
          { step: "delete", passed: true, message: "" },
        ],
        warning: null,
      }),
    ).toBe("Download it as Instagram would: failed.");
  });

  it("counts the files there and the deletions to retry", () => {
    expect(describeFiles(saved())).toBe("CreatorFlow has no files there now.");
    expect(describeFiles(saved({ hostedFiles: 1 }))).toMatch(/has 1 file there/);
    expect(describeFiles(saved({ hostedFiles: 3, deletionsPending: 2 }))).toMatch(
      /2 deletions did not work and will be tried again/,
    );
  });
});
