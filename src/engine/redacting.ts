// The engine's error text can echo what pod gave it, env values included (runc quotes the
// entry it refuses). Every error out of the engine passes through here first, so what is
// printed, logged by the agent or kept in a record's history shows `KEY=<hidden>`.
import { redactError } from "../podspec/redact.js";
import type { ContainerConfig } from "./types.js";

const ENV_LIKE = /^[^=\s"]+=/;

/**
 * The engine, with every rejected call's error redacted against the env entries (and the
 * command's `X=...` words) of the containers created through it: a start refused for a
 * container's env carries no config of its own. Streams (logs, events) pass through as they are.
 */
export function redactingEngine<E extends object>(engine: E): E {
  const given = new Set<string>();
  const remember = (config: ContainerConfig | undefined): void => {
    for (const entry of config?.Env ?? []) given.add(entry);
    for (const word of [...(config?.Cmd ?? []), ...(config?.Entrypoint ?? [])]) if (ENV_LIKE.test(word)) given.add(word);
  };
  return new Proxy(engine, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "createContainer") remember(args[0] as ContainerConfig);
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((err: unknown) => {
          throw redactError(err, [...given]);
        });
      };
    },
  });
}
