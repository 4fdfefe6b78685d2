// Debounced background checks (the composer's live counters): run at most one
// per pause in typing, and never let an older answer overwrite a newer one.

import { api, type PlatformCheck, type PostInput } from "./api";
import type { Result } from "./result";

export interface Debounced<I> {
  /** Runs the check for `input` once `delayMs` pass without another call. */
  schedule(input: I): void;
  /** Runs the pending check now (if any). */
  flush(): void;
  /** Forgets the pending check and ignores answers still on their way. */
  cancel(): void;
}

export function createDebounced<I, R>(
  run: (input: I) => Promise<R>,
  onResult: (result: R, input: I) => void,
  delayMs = 250,
): Debounced<I> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: { input: I } | null = null;
  let seq = 0;

  const fire = () => {
    timer = undefined;
    if (!pending) return;
    const { input } = pending;
    pending = null;
    const mine = ++seq;
    void run(input).then(
      (result) => {
        if (mine === seq) onResult(result, input);
      },
      (e: unknown) => console.warn("a background check failed", e),
    );
  };

  return {
    schedule(input) {
      pending = { input };
      clearTimeout(timer);
      timer = setTimeout(fire, delayMs);
    },
    flush() {
      clearTimeout(timer);
      fire();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      pending = null;
      seq += 1;
    },
  };
}

/** What the live check of a post looks at: its content, for these accounts. */
export type CheckFields = Pick<PostInput, "text" | "zone" | "accountIds" | "mediaIds" | "options">;

/** How long typing pauses before the live check runs. */
export const CHECK_DELAY_MS = 250;

/**
 * The live check of a post being written (counters, each network's rules),
 * as the composer, the quick post and a live post's update run it: the
 * content alone, asked as a draft without a time, a pause after the last change.
 */
export function createPostCheck(
  onResult: (result: Result<PlatformCheck[]>) => void,
  check: (input: PostInput) => Promise<Result<PlatformCheck[]>> = api.checkPost,
): Debounced<CheckFields> {
  return createDebounced(
    (fields: CheckFields) => check({ ...fields, scheduledAt: null, intent: "draft" }),
    onResult,
    CHECK_DELAY_MS,
  );
}
