import { describe, expect, it } from "vitest";
import {
  POST_STATUSES,
  handleOf,
  platformMeta,
  statusMeta,
  targetStatusClass,
  targetStatusLabel,
} from "./status";

describe("statusMeta", () => {
  it("gives each status its own label and class", () => {
    const labels = new Set(POST_STATUSES.map((s) => statusMeta(s).label));
    const classes = new Set(POST_STATUSES.map((s) => statusMeta(s).className));
    expect(labels.size).toBe(POST_STATUSES.length);
    expect(classes.size).toBe(POST_STATUSES.length);
    expect(POST_STATUSES).toHaveLength(8);
  });

  it("maps statuses to the classes app.css colours", () => {
    expect(statusMeta("draft").className).toBe("cf-status-draft");
    expect(statusMeta("needs_attention").className).toBe("cf-status-needs-attention");
    expect(statusMeta("partially_published").label).toBe("Partly published");
    expect(statusMeta("failed").label).toBe("Failed");
  });

  it("labels target statuses in words", () => {
    expect(targetStatusLabel("needs_reauth")).toBe("Reconnect needed");
    expect(targetStatusLabel("retrying")).toBe("Retrying");
    expect(targetStatusLabel("processing")).toBe("Processing");
    expect(targetStatusLabel("deleted")).toBe("Removed");
  });

  it("colours target statuses like the calendar rolls them up", () => {
    expect(targetStatusClass("failed")).toBe("cf-status-failed");
    for (const s of ["needs_reauth", "missed", "unconfirmed"] as const) {
      expect(targetStatusClass(s)).toBe("cf-status-needs-attention");
    }
    expect(targetStatusClass("retrying")).toBe("cf-status-publishing");
    expect(targetStatusClass("published")).toBe("cf-status-published");
    expect(targetStatusClass("processing")).toBe("cf-status-publishing");
    expect(targetStatusClass("deleted")).toBe("cf-status-cancelled");
  });

  it("names platforms and their badges", () => {
    expect(platformMeta("linkedin")).toEqual({ name: "LinkedIn", short: "in", handles: false });
    expect(handleOf("linkedin", "Ann Lee")).toBe("Ann Lee");
    expect(handleOf("x", "ann")).toBe("@ann");
    expect(platformMeta("x").short).toBe("X");
    expect(platformMeta("youtube").name).toBe("YouTube");
  });
});
