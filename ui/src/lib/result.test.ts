import { describe, expect, it } from "vitest";
import { FALLBACK_MESSAGE, errorCode, errorMessage, normalize, settle, toIpcError } from "./result";

describe("error extraction", () => {
  it("shows the backend's sentence and keeps its code", () => {
    const r = {
      status: "error" as const,
      error: { code: "time_in_past" as const, message: "That time has already passed." },
    };
    expect(errorMessage(r)).toBe("That time has already passed.");
    expect(errorCode(r)).toBe("time_in_past");
  });

  it("returns null for success", () => {
    expect(errorMessage({ status: "ok", data: 1 })).toBeNull();
    expect(errorCode({ status: "ok", data: 1 })).toBeNull();
  });

  it("never shows a runtime string or a JS error to the creator", () => {
    expect(toIpcError("Command list_posts not allowed by ACL")).toEqual({
      code: "internal",
      message: FALLBACK_MESSAGE,
    });
    expect(toIpcError(new TypeError("undefined is not an object"))).toEqual({
      code: "internal",
      message: FALLBACK_MESSAGE,
    });
    expect(toIpcError(undefined).message).toBe(FALLBACK_MESSAGE);
    expect(toIpcError({ code: "conflict", message: "  " }).message).toBe(FALLBACK_MESSAGE);
  });

  it("maps unknown codes to internal but keeps the sentence", () => {
    expect(toIpcError({ code: "brand_new", message: "Try later." })).toEqual({
      code: "internal",
      message: "Try later.",
    });
  });

  it("normalizes raw results", () => {
    expect(normalize({ status: "error", error: "boom" })).toEqual({
      status: "error",
      error: { code: "internal", message: FALLBACK_MESSAGE },
    });
    expect(normalize({ status: "ok", data: [1] })).toEqual({ status: "ok", data: [1] });
  });

  it("settle turns a throwing call into an error result", async () => {
    const quiet = console.error;
    console.error = () => {};
    try {
      const r = await settle<number>(() => Promise.reject(new Error("no IPC")));
      expect(r).toEqual({
        status: "error",
        error: { code: "internal", message: FALLBACK_MESSAGE },
      });
      const thrown = await settle<number>(() => {
        throw new Error("sync");
      });
      expect(thrown.status).toBe("error");
    } finally {
      console.error = quiet;
    }
    const ok = await settle(() => Promise.resolve({ status: "ok" as const, data: 5 }));
    expect(ok).toEqual({ status: "ok", data: 5 });
  });
});
