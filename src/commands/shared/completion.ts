// Shell completion: small scripts for bash, zsh and fish that ask `pod __complete` for the
// candidates, which come from the commands' own builders (and pod names and generations
// from the engine).
import { GLOBAL_VALUES, type CommandShape } from "./introspect.js";

/** What the last word of a command line is: what `__complete` must offer for it. */
export type Completing =
  | { kind: "commands" }
  | { kind: "options"; shape: CommandShape | null }
  | { kind: "values"; shape: CommandShape | null; option: string; pod: string | null }
  | { kind: "positional"; shape: CommandShape; index: number; pod: string | null }
  /** After `--` (a command for the container) or an unknown command: nothing pod knows. */
  | { kind: "none" };

/** Reads the words after `pod` (the last one being completed) by the command's shape, as the parser does. */
export function completing(words: string[], shapes: CommandShape[]): Completing {
  const current = words.at(-1) ?? "";
  let shape: CommandShape | null = null;
  const positionals: string[] = [];
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if (w === "--") return { kind: "none" };
    const option = w.startsWith("--") ? w.slice(2) : /^-[^-]$/.test(w) ? w[1]! : null;
    if (option !== null && !option.includes("=")) {
      const takesValue = shape ? shape.options.has(option) && !shape.flags.has(option) : GLOBAL_VALUES.has(option);
      if (takesValue) {
        if (i === words.length - 2) return { kind: "values", shape, option, pod: shape?.takesPod ? (positionals[0] ?? null) : null };
        i++;
      }
      continue;
    }
    if (w.startsWith("-")) continue;
    if (shape === null) {
      shape = shapes.find((s) => s.name === w || s.aliases.includes(w)) ?? null;
      if (shape === null) return { kind: "none" };
    } else positionals.push(w);
  }
  if (current.startsWith("-")) return { kind: "options", shape };
  if (shape === null) return { kind: "commands" };
  return { kind: "positional", shape, index: positionals.length, pod: shape.takesPod ? (positionals[0] ?? null) : null };
}

/** Facts from the engine a completion may need; asked for only when it does. */
export interface CompletionFacts {
  pods(): string[];
  /** The generations `rollback --to` can go to. */
  generations(pod: string): string[];
}

/** Whether completing needs the engine: a pod's name, or a pod's generations. */
export function needsEngine(c: Completing): boolean {
  return (c.kind === "positional" && c.shape.takesPod && c.index === 0) || (c.kind === "values" && c.shape?.name === "rollback" && c.option === "to" && c.pod !== null);
}

/** Candidates for the last word of `words`, sorted. Hidden commands (`__complete`) are never offered. */
export function candidates(words: string[], shapes: CommandShape[], facts: CompletionFacts): string[] {
  const current = words.at(-1) ?? "";
  const c = completing(words, shapes);
  let all: string[];
  switch (c.kind) {
    case "commands":
      all = [...shapes.map((s) => s.name).filter((n) => !n.startsWith("__")), "help"];
      break;
    case "options":
      all = c.shape ? [...c.shape.options].map((o) => (o.length === 1 ? `-${o}` : `--${o}`)) : ["--help", "--version", "--host", "--context"];
      break;
    case "values":
      if (c.shape?.name === "rollback" && c.option === "to") all = c.pod ? facts.generations(c.pod) : [];
      else all = c.shape?.choices.get(c.option) ?? [];
      break;
    case "positional":
      if (c.shape.takesPod && c.index === 0) all = facts.pods();
      else all = c.shape.positionalChoices[c.index] ?? [];
      break;
    case "none":
      all = [];
      break;
  }
  return all.filter((v) => v.startsWith(current)).sort();
}

export function completionScript(shell: "bash" | "zsh" | "fish"): string {
  switch (shell) {
    case "bash":
      return [
        "# pod completion for bash: eval \"$(pod completion bash)\", or save it in /etc/bash_completion.d/pod",
        "_pod() {",
        '  local IFS=$\'\\n\'',
        '  COMPREPLY=($(pod __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))',
        "}",
        "complete -o default -F _pod pod",
        "",
      ].join("\n");
    case "zsh":
      return [
        "#compdef pod",
        "# pod completion for zsh: pod completion zsh > \"${fpath[1]}/_pod\"",
        "_pod() {",
        "  local -a candidates",
        '  candidates=("${(@f)$(pod __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")',
        "  compadd -a candidates",
        "}",
        'compdef _pod pod',
        "",
      ].join("\n");
    case "fish":
      return [
        "# pod completion for fish: pod completion fish > ~/.config/fish/completions/pod.fish",
        "complete -c pod -f -a '(pod __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'",
        "",
      ].join("\n");
  }
}
