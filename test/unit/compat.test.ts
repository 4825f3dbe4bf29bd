import { describe, expect, it } from "vitest";
import { checkSameUser, effectiveUser, supportsMigrateReq } from "../../src/compat.js";

describe("supportsMigrateReq", () => {
  it.each([
    ["6.18.44-fc-v669", true],
    ["5.14.0", true],
    ["5.15.0-91-generic", true],
    ["5.13.19", false],
    ["4.19.0-26-amd64", false],
    ["", true],
  ])("%s → %s", (kernel, expected) => expect(supportsMigrateReq(kernel)).toBe(expected));
});

describe("effectiveUser", () => {
  it.each([
    [null, "", "0"],
    [null, "root", "0"],
    ["root:staff", "1000", "0"],
    ["1000:1000", "", "1000"],
    [null, "app", "app"],
  ])("flag %j, image USER %j → %s", (flag, image, user) => expect(effectiveUser(flag, image)).toBe(user));

  it("lets one user through and refuses two", () => {
    expect(() => checkSameUser("0", "0")).not.toThrow();
    expect(() => checkSameUser("0", "1000")).toThrow(/would run as user 1000 while the serving ones run as root/);
  });
});
