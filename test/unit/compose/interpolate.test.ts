// Compose's interpolation, row by row: most rows are compose-go's own template tests, so
// pod reads ${...} exactly as `docker compose` does.
import { describe, expect, it } from "vitest";
import { interpolateTree, substitute, TemplateError, type Json } from "../../../src/compose/interpolate.js";

const vars: Record<string, string> = { FOO: "first", BAR: "", JSON: '{"json":2}' };
const lookup = (name: string) => vars[name];

function run(template: string): { value: string; unset: string[] } {
  const unset: string[] = [];
  const value = substitute(template, { lookup, onUnset: (name) => unset.push(name) });
  return { value, unset };
}

describe("substitute: values", () => {
  const rows: [string, string, string[]?][] = [
    // escapes and text that is no template
    ["$${foo}", "${foo}"],
    ["$$FOO", "$FOO"],
    ["foo", "foo"],
    ["a $ string", "a $ string"],
    ["^REGEX$", "^REGEX$"],
    ["$}", "$}"],
    ["$", "$"],
    ["$1 and $-", "$1 and $-"],
    // plain references
    ["$FOO-bar", "first-bar"],
    ["This $FOO var", "This first var"],
    ["This ${FOO} var", "This first var"],
    ["This ${missing} var", "This  var", ["missing"]],
    ["This ${BAR} var", "This  var"],
    ["${foo}", "", ["foo"]],
    ["$JSON", '{"json":2}'],
    // defaults
    ["ok ${missing:-def}", "ok def"],
    ["ok ${missing-def}", "ok def"],
    ["ok ${BAR:-def}", "ok def"],
    ["ok ${FOO:-def}", "ok first"],
    ["ok ${BAR-def}", "ok "],
    ["ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric"],
    // alternatives
    ["ok ${UNSET_VAR:+presence_value}", "ok "],
    ["ok ${UNSET_VAR+presence_value}", "ok "],
    ["ok ${FOO:+presence_value}", "ok presence_value"],
    ["ok ${FOO+presence_value}", "ok presence_value"],
    ["ok ${BAR+presence_value}", "ok presence_value"],
    ["ok ${BAR:+presence_value}", "ok "],
    // required, when given
    ["ok ${FOO:?err}", "ok first"],
    ["ok ${FOO?err}", "ok first"],
    ["ok ${BAR?err}", "ok "],
    // text around does not change the operator
    ["-ok ${BAR:-defaultValue}", "-ok defaultValue"],
    ["+ok ${UNSET:-${BAR-defaultValue}}", "+ok "],
    [":-ok ${UNSET-defaultValue}", ":-ok defaultValue"],
    [":?ok ${BAR:-defaultValue}", ":?ok defaultValue"],
    ["?ok ${BAR:-defaultValue}", "?ok defaultValue"],
    // nesting
    ["ok ${UNSET_VAR-$FOO}", "ok first"],
    ["ok ${UNSET_VAR-${FOO}}", "ok first"],
    ["ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first"],
    ["ok ${BAR:-${FOO} ${FOO}}", "ok first first"],
    ["ok ${BAR+$FOO ${FOO:+second}}", "ok first second"],
    ["${A:-${B:-${FOO}}}", "first"],
    ["ok ${SUBDOMAIN:-redis}.${FOO:?}", "ok redis.first"],
    ["${X:-a}-${Y:-b}", "a-b"],
    // precedence: the operator written first
    ["${UNSET_VAR-myerror?msg}", "myerror?msg"],
    ["${FOO?bar-baz}", "first"],
    // lazy: an unused default or message reads no variable
    ["${A:+${A},}B", "B"],
    ["${A:-${B}}", "", ["B"]],
    ["${FOO?${B}}", "first"],
    // names are letters, digits and _
    ["${_x1:-y}", "y"],
    ["$FOO.bar", "first.bar"],
  ];
  for (const [template, value, unset = []] of rows) {
    it(JSON.stringify(template), () => expect(run(template)).toEqual({ value, unset }));
  }
});

describe("substitute: errors", () => {
  const rows: [string, RegExp][] = [
    ["${", /invalid interpolation/],
    ["${}", /invalid interpolation/],
    ["${ }", /invalid interpolation/],
    ["${ foo}", /invalid interpolation/],
    ["${foo }", /invalid interpolation/],
    ["${foo!}", /invalid interpolation/],
    ["${1}", /invalid interpolation/],
    ["not ok ${UNSET_VAR:?Mandatory Variable Unset}", /^required variable UNSET_VAR is missing a value: Mandatory Variable Unset$/],
    ["not ok ${BAR:?Mandatory Variable Empty}", /^required variable BAR is missing a value: Mandatory Variable Empty$/],
    ["not ok ${UNSET_VAR:?}", /^required variable UNSET_VAR is missing a value$/],
    ["not ok ${UNSET_VAR?}", /^required variable UNSET_VAR is missing a value$/],
    ["not ok ${UNSET_VAR?Mandatory Variable ${FOO}}", /missing a value: Mandatory Variable first$/],
    ["${UNSET_VAR?bar-baz}", /missing a value: bar-baz$/],
  ];
  for (const [template, message] of rows) {
    it(JSON.stringify(template), () => {
      expect(() => run(template)).toThrow(TemplateError);
      expect(() => run(template)).toThrow(message);
    });
  }
});

describe("interpolateTree", () => {
  it("interpolates values, never keys, and casts where Compose casts", () => {
    const doc: Json = {
      services: {
        $FOO: {
          image: "web:${TAG:-1}",
          deploy: { replicas: "${N}", update_config: { parallelism: "2" } },
          ports: [{ target: "${PORT}" }],
          read_only: "${RO}",
          environment: { A: "${N}" },
        },
      },
      volumes: { data: { external: "yes" } },
    };
    const unset: string[] = [];
    const out = interpolateTree(doc, (name) => ({ N: "3", PORT: "8080", RO: "true" })[name], (path, name) => unset.push(`${path} ${name}`));
    expect(out).toEqual({
      services: {
        $FOO: {
          image: "web:1",
          deploy: { replicas: 3, update_config: { parallelism: 2 } },
          ports: [{ target: 8080 }],
          read_only: true,
          environment: { A: "3" },
        },
      },
      volumes: { data: { external: true } },
    });
    expect(unset).toEqual([]);
  });

  it("reports unset variables with their path", () => {
    const unset: string[] = [];
    interpolateTree({ services: { web: { ports: ["${P}:80"] } } }, () => undefined, (path, name) => unset.push(`${path} ${name}`));
    expect(unset).toEqual(["services.web.ports[0] P"]);
  });

  it("names the path of a failure", () => {
    const fail = (doc: Json) => {
      try {
        interpolateTree(doc, () => undefined, () => {});
      } catch (err) {
        return `${(err as TemplateError).path}: ${(err as Error).message}`;
      }
      return "no error";
    };
    expect(fail({ services: { web: { image: "${IMAGE:?set IMAGE}" } } })).toBe("services.web.image: required variable IMAGE is missing a value: set IMAGE");
    expect(fail({ services: { web: { deploy: { replicas: "three" } } } })).toBe('services.web.deploy.replicas: "three" is not a whole number');
    expect(fail({ services: { web: { command: ["a", "x ${"] } } })).toBe('services.web.command[1]: invalid interpolation in "x ${"');
  });
});
