// make bench, beside `pod up --replicas 100`: what the engine alone takes for the same work,
// the floor under any launcher. Through the same library pod uses (dockerode), no checks, no
// record, no readiness gate beyond the sandbox's own listener count: a sandbox, then N
// replicas created and started at once in its namespace, until all N listen. Prints the ms.
import Docker from "dockerode";

const n = Number(process.argv[2] ?? 100);
const docker = new Docker({ socketPath: (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "") });
const label = { "bench-floor": "1" };

async function cleanup() {
  for (const c of await docker.listContainers({ all: true, filters: { label: ["bench-floor=1"] } })) await docker.getContainer(c.Id).remove({ force: true });
}

async function listening(sandbox) {
  const exec = await sandbox.exec({ Cmd: ["/pod-sandbox", "probe", "8080"], AttachStdout: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  let out = "";
  stream.on("data", (b) => (out += b.toString("latin1")));
  await new Promise((resolve) => stream.on("end", resolve));
  return Number(/8080\S*\s+(\d+)/.exec(out)?.[1] ?? 0);
}

await cleanup();
try {
  const sandbox = await docker.createContainer({ Image: "pod-sandbox", Labels: label, ExposedPorts: { "8080/tcp": {} }, HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18398" }] } } });
  await sandbox.start();
  const t = Date.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await docker.createContainer({ Image: "http_server", Labels: label, Env: ["POD_NAME=floor", `POD_REPLICA=${i + 1}`], HostConfig: { NetworkMode: `container:${sandbox.id}` } });
      await c.start();
    }),
  );
  while ((await listening(sandbox)) < n) await new Promise((r) => setTimeout(r, 50));
  console.log(Date.now() - t);
} finally {
  await cleanup();
}
