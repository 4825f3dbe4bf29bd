// Shell completion: small scripts for bash, zsh and fish that ask `pod __complete` for the
// candidates, which come from the commands' own builders (and pod names from the engine).
import type { CommandShape } from "./introspect.js";

/** Candidates for the last word of `words` (the words after `pod`, the last one being completed). */
export function candidates(words: string[], shapes: CommandShape[], pods: () => string[]): string[] {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1).filter((w) => !w.startsWith("-"));
  const shape = shapes.find((s) => s.name === before[0] || s.aliases.includes(before[0] ?? ""));
  let all: string[];
  if (!shape) all = current.startsWith("-") ? ["--help", "--version", "--host", "--context"] : [...shapes.map((s) => s.name), "help"];
  else if (current.startsWith("-")) all = [...shape.options].map((o) => (o.length === 1 ? `-${o}` : `--${o}`));
  else if (shape.takesPod && before.length === 1) all = pods();
  else if (shape.name === "agent" && before.length === 1) all = ["start", "stop", "status", "logs", "run", "systemd"];
  else if (shape.name === "completion" && before.length === 1) all = ["bash", "zsh", "fish"];
  else all = [];
  return all.filter((c) => c.startsWith(current)).sort();
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
