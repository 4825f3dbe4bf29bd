import type { Argv, CommandModule } from "yargs";
import { loadComposeModel, projectName } from "./shared/compose.js";
import type { Deps, RunState } from "./shared/deps.js";
import { repeatable } from "./shared/options.js";
import { UsageError } from "../errors.js";

interface ConfigArgs {
  file?: string;
  service?: string[];
  "project-name"?: string;
  profile: string[];
  format?: string;
  services: boolean;
  quiet: boolean;
}

/** `docker compose config`'s: read-only, no engine. */
export function configCommand(deps: Deps, state: RunState): CommandModule<object, ConfigArgs> {
  return {
    command: "config [service..]",
    describe: "A compose file as pod reads it: the normalised project, as docker compose config prints it (environment values included)",
    builder: (y) =>
      (y
        .positional("service", { type: "string", array: true, describe: "Only these services (and what they depend on)" })
        .option("file", { type: "string", alias: "f", describe: "The compose file (required)" })
        .option("project-name", { type: "string", alias: "p", describe: "The project's name (default: COMPOSE_PROJECT_NAME, name:, the directory)" })
        .option("profile", { ...repeatable, describe: "Enable services of this profile (default: COMPOSE_PROFILES)" })
        .option("format", { type: "string", describe: "yaml (default) or json" })
        .option("services", { type: "boolean", default: false, describe: "Only the services' names, dependencies first" })
        .option("quiet", { type: "boolean", alias: "q", default: false, describe: "Only check the file: nothing printed unless it is wrong (then one line, exit 2)" })
        .example("$0 config -f compose.yaml", "the project with every name resolved: shop_default, shop_data, shop-web")
        .example("$0 config -f compose.yaml --services", "the services in the order up brings them")
        .example("$0 config -f compose.yaml -q && echo ok", "check a compose file") as unknown) as Argv<ConfigArgs>,
    handler: async (args) => {
      if (args.file === undefined) throw new UsageError("pod config needs -f and a compose file", "e.g. pod config -f compose.yaml");
      const format = args.format ?? "yaml";
      if (format !== "yaml" && format !== "json") throw new UsageError(`--format ${format} is not a format pod knows`, "use yaml or json");
      const reporter = (state.reporter = await deps.reporter(format === "json" && !args.services && !args.quiet ? "document" : "human"));
      const { model, project } = await loadComposeModel(deps, reporter, {
        file: args.file,
        projectName: projectName({ ...(args["project-name"] !== undefined ? { "project-name": args["project-name"] } : {}) }),
        services: args.service ?? [],
        profiles: args.profile,
        // The file's own command: nothing else says its warnings.
        warn: !args.quiet,
      });
      if (args.quiet) return;
      if (args.services) return reporter.result(project.services.map((s) => s.service).join("\n"), project.services.map((s) => s.service));
      if (format === "json") return reporter.result("", model);
      const { toYaml } = await import("../export/yaml.js");
      reporter.result(toYaml(model).replace(/\n$/, ""), model);
    },
  };
}
