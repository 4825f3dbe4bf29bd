// Image references: rows from distribution/reference's own tests (reference_test.go,
// normalize_test.go), normalised as ParseNormalizedNamed does, and the inputs that reached
// the engine before (issue 20, defect 2 and the image-ref rows).
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import {
  canonicalReference,
  credentialsKey,
  familiarReference,
  lastPathComponent,
  parseReference,
  type NamedReference,
} from "../../../src/podspec/reference.js";

const F64 = "f".repeat(64);
const F128 = "f".repeat(128);
const SHA = `sha256:${F64}`;

type Row = [input: string, domain: string, path: string, tag?: string | null, digest?: string | null];

describe("parseReference: good, normalised", () => {
  const rows: Row[] = [
    ["test_com", "docker.io", "library/test_com"],
    ["test.com:tag", "docker.io", "library/test.com", "tag"],
    ["test.com:5000", "docker.io", "library/test.com", "5000"],
    ["test.com/repo:tag", "test.com", "repo", "tag"],
    ["test:5000/repo", "test:5000", "repo"],
    ["test:5000/repo:tag", "test:5000", "repo", "tag"],
    [`test:5000/repo@${SHA}`, "test:5000", "repo", null, SHA],
    [`test:5000/repo:tag@${SHA}`, "test:5000", "repo", "tag", SHA],
    ["lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase"],
    [`${"a/".repeat(127)}a:tag-puts-this-over-max`, "docker.io", `${"a/".repeat(127)}a`, "tag-puts-this-over-max"],
    ["sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux"],
    ["sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag"],
    ["b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com"],
    ["xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com"],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`, "xn--7o8h.com", "myimage", "xn--7o8h.com", `sha512:${F128}`],
    ["foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080"],
    ["foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080"],
    ["192.168.1.1", "docker.io", "library/192.168.1.1"],
    ["192.168.1.1:5000", "docker.io", "library/192.168.1.1", "5000"],
    ["192.168.1.1/repo", "192.168.1.1", "repo"],
    ["192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050"],
    ["[2001:db8::1]/repo", "[2001:db8::1]", "repo"],
    ["[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag"],
    [`[2001:db8::1]:5000/repo:tag@${SHA}`, "[2001:db8::1]:5000", "repo", "tag", SHA],
    ["[::1]:5000/repo", "[::1]:5000", "repo"],
    ["docker/docker", "docker.io", "docker/docker"],
    ["docker.io/debian", "docker.io", "library/debian"],
    ["index.docker.io/library/debian", "docker.io", "library/debian"],
    ["docker.io/library/foo/bar", "docker.io", "library/foo/bar"],
    ["127.0.0.1:5000/team/web:1.0", "127.0.0.1:5000", "team/web", "1.0"],
    ["localhost/app", "localhost", "app"],
    ["localhost:5000/app", "localhost:5000", "app"],
    ["Docker/docker", "Docker", "docker"], // an uppercase first part can only be a host
    [`docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a`, "docker.io", "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"],
    ["thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"],
    ["docker---rules/docker", "docker.io", "docker---rules/docker"],
    ["dock__er/docker", "docker.io", "dock__er/docker"],
    ["d/docker", "docker.io", "d/docker"],
    ["dbcc1", "docker.io", "library/dbcc1"], // a short id is a name; the engine resolves it
    ["sha256:abc", "docker.io", "library/sha256", "abc"], // not a whole digest: a name and a tag, as docker reads it
    ["http_server", "docker.io", "library/http_server"],
    ["http_server:v2", "docker.io", "library/http_server", "v2"],
  ];
  it.each(rows)("%s", (input, domain, path, tag = null, digest = null) => {
    expect(parseReference(input)).toEqual({ kind: "named", domain, path, tag, digest });
  });

  it.each([
    [F64.replace(/f/g, "a"), `sha256:${"a".repeat(64)}`],
    [`sha256:${"0".repeat(64)}`, `sha256:${"0".repeat(64)}`],
  ])("%s is an image id", (input, id) => expect(parseReference(input)).toEqual({ kind: "id", id }));
});

describe("parseReference: bad, one line naming the fault", () => {
  const rows: [string, RegExp][] = [
    // issue 20
    ["../x", /"\.\." is neither a registry address .* nor a name/],
    ["a/../../b", /"\.\." is not a valid part of a repository name/],
    [":", /no repository name before ':'/],
    ["x:", /the tag after ':' is empty/],
    ["a:v2:v3", /tag "v2:v3" is not a tag/],
    ["Web", /the repository name "Web" must be lowercase/],
    ["", /cannot be empty/],
    ["a".repeat(256), /a repository name is at most 247 characters \(Docker Hub counts library\/NAME\), this one 256/],
    [`127.0.0.1:5000/${"a".repeat(256)}`, /a repository name is at most 255 characters, this one 256/],
    ["web@sha256:abcd", /a sha256 digest has 64 hex digits, this one 4/],
    [`web:${"t".repeat(129)}`, /a tag is at most 128 characters, this one 129/],
    // distribution's own
    [":justtag", /no repository name before ':'/],
    [`@${SHA}`, /no repository name before '@'/],
    ["repo@sha256:ffffffffffffffffffffffffffffffffff", /a sha256 digest has 64 hex digits, this one 34/],
    [`validname@invaliddigest:${F64}`, /digest algorithm "invaliddigest" is not supported/],
    [`web@sha256:${"F".repeat(64)}`, /a sha256 digest is lowercase hex digits/],
    ["Uppercase:tag", /"Uppercase" must be lowercase/],
    ["test:5000/Uppercase/lowercase:tag", /"test:5000\/Uppercase\/lowercase" must be lowercase/],
    ["docker/Docker", /"docker\/Docker" must be lowercase/],
    ["docker.io/docker/Docker", /"docker\/Docker" must be lowercase/],
    [`${"a/".repeat(128)}a:tag`, /at most 255 characters, this one 257/],
    ["aa/asdf$$^/aa", /"asdf\$\$\^" is not a valid part/],
    ["[2001:db8::1]", /is not a tag/],
    ["[2001:db8::1]:5000", /is not a tag/],
    ["[fe80::1%eth0]:5000/repo", /"\[fe80::1%eth0\]:5000" is neither a registry address/],
    ["[2001:db8:3:4::192.0.2.33]:5000/debian", /is neither a registry address/],
    ["fc00::1:5000/debian", /"fc00::1:5000" is neither a registry address/],
    ["https://github.com/docker/docker", /"https:" is neither a registry address/],
    ["-docker", /"-docker" is not a valid part/],
    ["-docker/docker", /"-docker" is not a valid part/],
    ["-docker.io/docker/docker", /"-docker.io" is neither a registry address/],
    ["docker///docker", /an empty part/],
    ["docker.io/docker///docker", /an empty part/],
    ["docker/", /an empty part/],
    ["docker-/docker", /"docker-" is not a valid part/],
    ["____/____", /"____" is not a valid part/],
    ["_docker/_docker", /"_docker" is not a valid part/],
    ["dock..er/docker", /"dock\.\.er" is neither a registry address/], // a first part with a "." is read as a host
    ["dock_.er/docker", /"dock_\.er" is neither a registry address/],
    ["team/dock..er", /"dock\.\.er" is not a valid part/],
    ["dock-.er/docker", /"dock-\.er" is neither a registry address/],
    ["team/dock-.er", /"dock-\.er" is not a valid part/],
    [`${"this_is_not_a_valid_namespace_".repeat(9)}/docker`, /at most 255 characters/],
    // more pod has met
    ["we b", /"we b" is not a valid part/],
    ["web@", /the digest after '@' is empty/],
    [`a@${SHA}@${SHA}`, /more than one '@'/],
    ["web:-v1", /tag "-v1" is not a tag/],
    ["web\u0000x", /"web\\u0000x" is not a valid part/],
  ];
  it.each(rows)("%j", (input, message) => {
    let thrown: unknown;
    try {
      parseReference(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    const err = thrown as UsageError;
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
    expect(err.hint).toBeTruthy();
  });

  it("cuts a huge input in its message and answers at once", () => {
    const huge = `${"a-".repeat(500_000)}!`;
    const started = Date.now();
    expect(() => parseReference(huge)).toThrow(UsageError);
    expect(Date.now() - started).toBeLessThan(1000);
    try {
      parseReference(huge);
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(200);
    }
  });
});

describe("reference forms", () => {
  const named = (text: string) => parseReference(text) as NamedReference;
  // normalize_test.go TestParseRepositoryInfo: familiar, full, and what pod pulls and logs in to.
  it.each([
    ["fooo/bar", "fooo/bar", "docker.io/fooo/bar:latest", "https://index.docker.io/v1/", "bar"],
    ["index.docker.io/fooo/bar", "fooo/bar", "docker.io/fooo/bar:latest", "https://index.docker.io/v1/", "bar"],
    ["library/ubuntu", "ubuntu", "docker.io/library/ubuntu:latest", "https://index.docker.io/v1/", "ubuntu"],
    ["docker.io/library/ubuntu:22.04", "ubuntu:22.04", "docker.io/library/ubuntu:22.04", "https://index.docker.io/v1/", "ubuntu"],
    ["other/library", "other/library", "docker.io/other/library:latest", "https://index.docker.io/v1/", "library"],
    ["127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase:latest", "127.0.0.1:8000", "moonbase"],
    ["example.com:8000/privatebase:v1", "example.com:8000/privatebase:v1", "example.com:8000/privatebase:v1", "example.com:8000", "privatebase"],
    ["library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar:latest", "https://index.docker.io/v1/", "bar"],
    ["Foo/bar", "Foo/bar", "Foo/bar:latest", "Foo", "bar"],
    [`busybox:latest@${SHA}`, `busybox:latest@${SHA}`, `docker.io/library/busybox@${SHA}`, "https://index.docker.io/v1/", "busybox"],
    [`127.0.0.1:5000/team/web@${SHA}`, `127.0.0.1:5000/team/web@${SHA}`, `127.0.0.1:5000/team/web@${SHA}`, "127.0.0.1:5000", "web"],
  ])("%s", (input, familiar, canonical, key, last) => {
    const ref = named(input);
    expect(familiarReference(ref)).toBe(familiar);
    expect(canonicalReference(ref)).toBe(canonical);
    expect(credentialsKey(ref)).toBe(key);
    expect(lastPathComponent(ref)).toBe(last);
  });

  it("an image id is its own familiar form", () => {
    expect(familiarReference(parseReference(F64))).toBe(SHA);
  });
});
