// Settings → Media hosting: the form's logic. The secret access key is typed
// into the form and sent once to the keychain; the backend only ever says
// whether one is saved.

import type {
  MediaHostConfig_Deserialize,
  MediaHostStatus_Serialize,
  MediaHostStep,
  MediaHostTest_Serialize,
} from "./bindings";

export type MediaHostStatus = MediaHostStatus_Serialize;
export type MediaHostTest = MediaHostTest_Serialize;
export type MediaHostConfig = MediaHostConfig_Deserialize;

/** How networks get to a file: a presigned link, or the bucket's public address. */
export type LinkMode = "presigned" | "public";

export interface MediaHostForm {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  /** What the creator typed; empty keeps the saved one (same access key ID). */
  secret: string;
  pathStyle: boolean;
  linkMode: LinkMode;
  publicBaseUrl: string;
  urlValidityMinutes: number;
}

export const DEFAULT_VALIDITY_MINUTES = 60;
export const MIN_VALIDITY_MINUTES = 5;
/** S3's longest presigned link: 7 days. */
export const MAX_VALIDITY_MINUTES = 7 * 24 * 60;

/** Storage services with what they expect, to fill in region and addressing. */
export interface Provider {
  id: string;
  label: string;
  endpoint: string;
  region: string;
  pathStyle: boolean;
}

export const PROVIDERS: readonly Provider[] = [
  {
    id: "r2",
    label: "Cloudflare R2",
    endpoint: "https://<account id>.r2.cloudflarestorage.com",
    region: "auto",
    pathStyle: true,
  },
  {
    id: "s3",
    label: "Amazon S3",
    endpoint: "https://s3.<region>.amazonaws.com",
    region: "eu-west-1",
    pathStyle: false,
  },
  {
    id: "b2",
    label: "Backblaze B2",
    endpoint: "https://s3.<region>.backblazeb2.com",
    region: "us-west-004",
    pathStyle: false,
  },
  {
    id: "minio",
    label: "MinIO or another S3-compatible service",
    endpoint: "https://minio.example.com",
    region: "us-east-1",
    pathStyle: true,
  },
];

export function blankForm(): MediaHostForm {
  return {
    endpoint: "",
    region: "",
    bucket: "",
    accessKeyId: "",
    secret: "",
    pathStyle: true,
    linkMode: "presigned",
    publicBaseUrl: "",
    urlValidityMinutes: DEFAULT_VALIDITY_MINUTES,
  };
}

/** The form for what is saved (a blank one when nothing is). */
export function formOf(status: MediaHostStatus | null): MediaHostForm {
  const c = status?.config;
  if (!c) return blankForm();
  return {
    endpoint: c.endpoint,
    region: c.region,
    bucket: c.bucket,
    accessKeyId: c.accessKeyId,
    secret: "",
    pathStyle: c.pathStyle,
    linkMode: c.publicBaseUrl ? "public" : "presigned",
    publicBaseUrl: c.publicBaseUrl ?? "",
    urlValidityMinutes: c.urlValidityMinutes,
  };
}

/** A provider's region and addressing; what the creator typed stays. */
export function applyProvider(form: MediaHostForm, provider: Provider): MediaHostForm {
  return {
    ...form,
    region: form.region.trim() === "" ? provider.region : form.region,
    pathStyle: provider.pathStyle,
  };
}

/** The settings to send (trimmed; no public base URL with presigned links). */
export function configOf(form: MediaHostForm): MediaHostConfig {
  const base = form.publicBaseUrl.trim();
  return {
    endpoint: form.endpoint.trim(),
    region: form.region.trim(),
    bucket: form.bucket.trim(),
    accessKeyId: form.accessKeyId.trim(),
    pathStyle: form.pathStyle,
    publicBaseUrl: form.linkMode === "public" && base !== "" ? base : null,
    urlValidityMinutes: form.urlValidityMinutes,
  };
}

/** Whether saving needs a secret typed in: none is saved, or the access key ID changed. */
export function needsSecret(form: MediaHostForm, status: MediaHostStatus | null): boolean {
  const saved = status?.config;
  if (!saved || !status?.secretSaved) return true;
  return saved.accessKeyId !== form.accessKeyId.trim();
}

/** The first thing missing from the form, in words (the backend checks the rest). */
export function formProblem(form: MediaHostForm, status: MediaHostStatus | null): string | null {
  if (form.endpoint.trim() === "") return "Enter the endpoint: your storage service's S3 address.";
  if (form.region.trim() === "") return "Enter the region (auto for Cloudflare R2).";
  if (form.bucket.trim() === "") return "Enter the bucket's name.";
  if (form.accessKeyId.trim() === "") return "Enter the access key ID.";
  if (form.secret.trim() === "" && needsSecret(form, status))
    return "Enter the secret access key that goes with this access key ID.";
  if (form.linkMode === "public" && form.publicBaseUrl.trim() === "")
    return "Enter the bucket's public base URL, or use presigned links.";
  const v = form.urlValidityMinutes;
  if (
    form.linkMode === "presigned" &&
    (!Number.isInteger(v) || v < MIN_VALIDITY_MINUTES || v > MAX_VALIDITY_MINUTES)
  )
    return `Presigned links can work from ${MIN_VALIDITY_MINUTES} minutes to 7 days (${MAX_VALIDITY_MINUTES} minutes).`;
  return null;
}

/** Whether the form differs from what is saved (a typed secret counts). */
export function isDirty(form: MediaHostForm, status: MediaHostStatus | null): boolean {
  if (form.secret.trim() !== "") return true;
  const saved = formOf(status);
  if (!status?.config) {
    return JSON.stringify({ ...form, secret: "" }) !== JSON.stringify(saved);
  }
  return JSON.stringify(configOf(form)) !== JSON.stringify(configOf(saved));
}

const STEP_LABELS: Record<MediaHostStep, string> = {
  upload: "Upload a test file",
  fetch: "Download it as Instagram would",
  delete: "Delete it",
};

export function stepLabel(step: MediaHostStep): string {
  return STEP_LABELS[step];
}

/** One line for the whole test. */
export function testHeadline(test: MediaHostTest): string {
  if (test.passed) return "Your media host works.";
  const failed = test.steps.find((s) => !s.passed);
  if (!failed) return "The test did not finish.";
  return `${stepLabel(failed.step)}: failed.`;
}

/** What is on the host now, in words. */
export function describeFiles(status: MediaHostStatus): string {
  const n = status.hostedFiles;
  const files =
    n === 0
      ? "CreatorFlow has no files there now."
      : `CreatorFlow has ${n} ${n === 1 ? "file" : "files"} there now, for posts still going out or about to be deleted.`;
  const pending = status.deletionsPending;
  if (pending === 0) return files;
  return `${files} ${pending} ${pending === 1 ? "deletion" : "deletions"} did not work and will be tried again.`;
}
