// `healthcheck:` as the replicas' HealthSpec: Docker's own test (CMD, CMD-SHELL, or a
// string run by the shell), its timings, or none. Without a test the image's check runs
// with the timings given. (A shared healthFromCompose in src/podspec/health.ts may replace this.)
import type { HealthSpec } from "../podspec/types.js";
import { isExtension, objAt, scalar, type Diagnostics, type Obj, type Path } from "./context.js";
import type { Json } from "./interpolate.js";
import { parseDuration } from "../podspec/units.js";

const KNOWN = ["test", "interval", "timeout", "retries", "start_period", "disable"];

function millis(d: Diagnostics, path: Path, raw: Json | undefined): number | null {
  if (raw === undefined || raw === null) return null;
  const seconds = parseDuration(scalar(raw));
  if (seconds === null || seconds < 0) d.fail(path, `"${scalar(raw)}" is not a duration`, "write a duration such as 10s, 1m30s or 500ms");
  // 0 is Docker's "inherit": the image's value, else the default.
  return seconds === 0 ? null : Math.round(seconds * 1000);
}

export function healthcheck(d: Diagnostics, at: Path, s: Obj): HealthSpec | undefined {
  if (s["healthcheck"] === undefined || s["healthcheck"] === null) return undefined;
  const path = [...at, "healthcheck"];
  const h = objAt(s, "healthcheck");
  for (const key of Object.keys(h)) {
    if (!KNOWN.includes(key) && !isExtension(key)) d.ignore([...path, key], key === "start_interval" ? "pod's health checks keep one interval, from the start" : "pod's health checks have no such setting");
  }
  const raw = h["test"];
  const test = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw.map(scalar) : ["CMD-SHELL", scalar(raw)];
  const disabled = h["disable"] === true;
  if (disabled && test.length > 0 && test[0] !== "NONE") d.fail([...path, "disable"], "is true while test is given", "keep one of them (Compose refuses both too)");
  const timings = {
    intervalMs: millis(d, [...path, "interval"], h["interval"]),
    timeoutMs: millis(d, [...path, "timeout"], h["timeout"]),
    retries: h["retries"] === undefined || h["retries"] === null ? null : Number(h["retries"]),
    startPeriodMs: millis(d, [...path, "start_period"], h["start_period"]),
  };
  if (disabled || test[0] === "NONE") return { check: { kind: "none" }, intervalMs: null, timeoutMs: null, retries: null, startPeriodMs: null };
  if (test.length === 0) return { check: { kind: "image" }, ...timings };
  if (test[0] !== "CMD" && test[0] !== "CMD-SHELL") {
    d.fail([...path, "test"], `starts with "${test[0]}"`, 'start it with "CMD" (then the command and its arguments), "CMD-SHELL" (then a shell line) or "NONE", as Compose requires');
  }
  if (test.length === 1) d.fail([...path, "test"], `has nothing to run after "${test[0]}"`, `write e.g. ["CMD", "curl", "-f", "http://localhost/"]`);
  return { check: { kind: "cmd", test }, ...timings };
}
