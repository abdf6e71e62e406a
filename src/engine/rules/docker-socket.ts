import { defineRule, type Report } from '../rule';
import { svc, volumeEntries } from '../compose/checks';
import { judgeHostMount } from '../runtime/judge';
import { containerMounts } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'docker-socket',
    title: 'Docker socket mounted',
    severity: 'error',
    targets: ['compose', 'container'],
    rationale:
      'Whoever can talk to the Docker API can start a privileged container with the host filesystem mounted: the socket is root on the host, read-only mount or not (`:ro` only protects the socket file, not the API behind it). The same holds for every container engine\'s socket — containerd (`/run/containerd/containerd.sock`), CRI-O (`/var/run/crio/crio.sock`), Podman (`/run/podman/podman.sock`) — and for a directory holding one (`/var/run`). Sockets of other host services (X11, audio, D-Bus, databases) are host-socket.',
    remediation:
      'Remove the socket mount. If a tool really needs the API, put a filtering proxy in front of it (e.g. a docker-socket-proxy allowing only the endpoints it needs) or use a rootless engine.',
    refs: { cis: ['5.32'] },
    examples: {
      compose: {
        bad: [
          'services:\n  app:\n    image: example/app:1.0\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n',
          'services:\n  node-agent:\n    image: example/agent:1.0\n    volumes:\n      - /run/containerd/containerd.sock:/run/containerd/containerd.sock:ro\n      - /var/run/crio/crio.sock:/var/run/crio/crio.sock\n',
        ],
        good: ['services:\n  app:\n    image: example/app:1.0\n    volumes:\n      - ./data:/data\n'],
      },
    },
  },
  compose(ctx) {
    const reports: Report[] = [];
    for (const s of ctx.services) {
      for (const v of volumeEntries(ctx, s)) {
        if (v.type !== 'bind' || !v.source || judgeHostMount(v.source, v.readOnly)?.rule !== 'docker-socket') continue;
        reports.push({ message: `${svc(s)} mounts the container engine's API socket (${v.source}): root on the host`, range: v.range, fixes: [] });
      }
    }
    return reports;
  },
  container(ctx) {
    return containerMounts(ctx.inspect)
      .filter((m) => m.type === 'bind' && judgeHostMount(m.source, !m.rw)?.rule === 'docker-socket')
      .map((m) => ({ message: `mounts the container engine's API socket (${m.source}): root on the host`, evidence: `Mounts: ${m.source} -> ${m.destination} (${m.rw ? 'rw' : 'ro'})` }));
  },
});
