// Compose's own labels (docker/compose pkg/api/labels.go), on what a project's pods make,
// so `docker compose ls`, `-p NAME ps` and other Compose tools see the project. Besides
// pod's own labels, which stay the record.
export const ComposeLabel = {
  project: "com.docker.compose.project",
  service: "com.docker.compose.service",
  /** Per replica: its number (the renderer sets it, one value per container). */
  containerNumber: "com.docker.compose.container-number",
  oneoff: "com.docker.compose.oneoff",
  workingDir: "com.docker.compose.project.working_dir",
  configFiles: "com.docker.compose.project.config_files",
  dependsOn: "com.docker.compose.depends_on",
  network: "com.docker.compose.network",
  volume: "com.docker.compose.volume",
} as const;

export interface ProjectIdentity {
  name: string;
  workingDir: string;
  files: string[];
}

/** What Compose puts on every container of a service (its CustomLabels), container-number aside. */
export function serviceLabels(p: ProjectIdentity, service: string, dependsOn: string[]): Record<string, string> {
  return {
    [ComposeLabel.project]: p.name,
    [ComposeLabel.service]: service,
    [ComposeLabel.oneoff]: "False",
    [ComposeLabel.workingDir]: p.workingDir,
    [ComposeLabel.configFiles]: p.files.join(","),
    // Compose's form: service:condition:restart, comma-separated.
    [ComposeLabel.dependsOn]: dependsOn.join(","),
  };
}

export function networkLabels(project: string, key: string): Record<string, string> {
  return { [ComposeLabel.project]: project, [ComposeLabel.network]: key };
}

export function volumeLabels(project: string, key: string): Record<string, string> {
  return { [ComposeLabel.project]: project, [ComposeLabel.volume]: key };
}
