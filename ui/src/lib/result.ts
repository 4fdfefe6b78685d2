// Command results as the generated bindings return them, and how the UI reads them.
//
// The backend's `IpcError.message` is a sentence written for a person: the UI
// shows it as is. `code` is for logic only.

import type { ErrorCode, IpcError } from "./bindings";

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: IpcError };

/** What the UI shows when it cannot find a better sentence. */
export const FALLBACK_MESSAGE = "Something went wrong inside CreatorFlow. Try again.";

/** The error codes the backend sends; anything else is treated as `internal`. */
const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "empty_text",
  "text_too_long",
  "time_in_past",
  "missing_time",
  "invalid_zone",
  "no_targets",
  "not_found",
  "conflict",
  "invalid_input",
  "newer_database",
  "storage",
  "disk_full",
  "keychain",
  "platform",
  "o_auth",
  "internal",
]);

/**
 * Turns whatever a failed IPC call produced (an `IpcError`, a bare string from
 * the Tauri runtime such as an ACL refusal, a thrown `Error`, nothing at all)
 * into an `IpcError` with a message a person can read.
 */
export function toIpcError(raw: unknown): IpcError {
  // A JS Error's message is technical ("undefined is not an object"): the
  // user sees the fallback sentence; the console keeps the detail.
  if (raw instanceof Error) return { code: "internal", message: FALLBACK_MESSAGE };
  if (raw && typeof raw === "object") {
    const obj = raw as { code?: unknown; message?: unknown };
    const message =
      typeof obj.message === "string" && obj.message.trim() !== ""
        ? obj.message.trim()
        : FALLBACK_MESSAGE;
    const code =
      typeof obj.code === "string" && KNOWN_CODES.has(obj.code)
        ? (obj.code as ErrorCode)
        : "internal";
    return { code, message };
  }
  // Bare strings come from the Tauri runtime itself (for example a command the
  // window is not allowed to call): not written for a creator.
  return { code: "internal", message: FALLBACK_MESSAGE };
}

/** The sentence to show for a failed result, or `null` when it succeeded. */
export function errorMessage<T>(
  result: Result<T> | { status: "error"; error: unknown },
): string | null {
  if (result.status === "ok") return null;
  return toIpcError(result.error).message;
}

/** The error code of a failed result, or `null` when it succeeded. */
export function errorCode<T>(result: Result<T>): ErrorCode | null {
  return result.status === "ok" ? null : toIpcError(result.error).code;
}

/** Normalises a raw bindings result (whose error may not be an `IpcError`). */
export function normalize<T>(
  raw: { status: "ok"; data: T } | { status: "error"; error: unknown },
): Result<T> {
  return raw.status === "ok" ? raw : { status: "error", error: toIpcError(raw.error) };
}

/** Runs an IPC call and never throws: a rejection becomes an error result. */
export async function settle<T>(
  call: () => Promise<{ status: "ok"; data: T } | { status: "error"; error: unknown }>,
): Promise<Result<T>> {
  try {
    return normalize(await call());
  } catch (e) {
    console.error("IPC call failed", e);
    return { status: "error", error: toIpcError(e) };
  }
}
