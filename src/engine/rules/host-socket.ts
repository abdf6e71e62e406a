import { defineRule, type Report } from '../rule';
import { servicesText, volumeEntries } from '../compose/checks';
import type { ComposeService } from '../compose/service';
import type { OffsetRange } from '../model';
import { HOST_SOCKET_POWER, judgeHostMount } from '../runtime/judge';
import { containerMounts } from '../runtime/container';

export default defineRule({
  meta: {
    id: 'host-socket',
    title: 'Host service socket mounted',
    severity: 'warning',
    targets: ['compose', 'container'],
    rationale:
      "A Unix socket is a door into the host service behind it. A container given the X11 socket (`/tmp/.X11-unix`) can read every keystroke on the display and type into other windows; the PulseAudio or PipeWire socket records the microphone; the system D-Bus socket asks systemd, polkit and NetworkManager to act on the host; a MySQL or PostgreSQL socket logs in by the caller's uid, and root in the container is uid 0 on the host; an SSH agent's socket signs in wherever its keys are accepted. `:ro` does not help: connecting to a socket is not a write to the mount. Container engine sockets (Docker, containerd, CRI-O, Podman) are root on the host outright and are reported by docker-socket.",
    remediation:
      'Remove the socket mount unless the service exists to use that host service. For a database, connect over the network with a password or a client certificate; for a GUI or audio, prefer a dedicated virtual display (Xvfb, VNC) or sound server in the container; for SSH, use a deploy key given as a secret.',
    refs: {},
    examples: {
      compose: {
        bad: [
          'services:\n  browser:\n    image: example/browser:1.0\n    environment:\n      DISPLAY: ":0"\n    volumes:\n      - /tmp/.X11-unix:/tmp/.X11-unix:ro\n',
          'services:\n  app:\n    image: example/app:1.0\n    volumes:\n      - type: bind\n        source: /var/run/mysqld/mysqld.sock\n        target: /var/run/mysqld/mysqld.sock\n',
        ],
        good: ['services:\n  app:\n    image: example/app:1.0\n    environment:\n      DATABASE_HOST: db\n    volumes:\n      - ./config:/config:ro\n'],
      },
    },
  },
  compose(ctx) {
    // A mount written once in an anchor that several services merge is one decision: one finding there.
    const byEntry = new Map<unknown, { source: string; power: string; range: OffsetRange | undefined; services: ComposeService[] }>();
    for (const s of ctx.services) {
      for (const v of volumeEntries(ctx, s)) {
        const verdict = v.type === 'bind' && v.source ? judgeHostMount(v.source, v.readOnly) : undefined;
        if (verdict?.rule !== 'host-socket') continue;
        const group = byEntry.get(v.entry.node);
        if (group) group.services.push(s);
        else byEntry.set(v.entry.node, { source: v.source!, power: HOST_SOCKET_POWER[verdict.service], range: v.range, services: [s] });
      }
    }
    // No fix: a service given such a socket usually exists to use it; removing it breaks that.
    return [...byEntry.values()].map((g): Report => ({ message: `${servicesText(g.services)} ${g.services.length > 1 ? 'mount' : 'mounts'} ${g.source}, a door into ${g.power}`, range: g.range, fixes: [] }));
  },
  container(ctx) {
    const reports: Report[] = [];
    for (const m of containerMounts(ctx.inspect)) {
      const verdict = m.type === 'bind' ? judgeHostMount(m.source, !m.rw) : undefined;
      if (verdict?.rule === 'host-socket') {
        reports.push({ message: `mounts ${m.source}, a door into ${HOST_SOCKET_POWER[verdict.service]}`, evidence: `Mounts: ${m.source} -> ${m.destination} (${m.rw ? 'rw' : 'ro'})` });
      }
    }
    return reports;
  },
});
