import { defineRule, type Report } from '../rule';
import type { DockerfileContext } from '../dockerfile/context';
import { packagesInFinalImage, type OsPackageChange } from '../dockerfile/packages';
import type { ShellWord } from '../dockerfile/shell';

/** Compilers, build systems and development headers: what a build needs and a running service does not. */
const BUILD_TOOLS = /^(?:gcc|gcc-c\+\+|g\+\+|cpp|clang|llvm|make|cmake|ninja-build|ninja|autoconf|automake|libtool|pkgconf|pkg-config|build-essential|build-base|gfortran|rustc|cargo|golang|go)$|^(?:gcc|g\+\+|clang|llvm)-\d+$|-(?:dev|devel)$/;

function dockerfileCheck(ctx: DockerfileContext): Report[] {
  // A single-stage file has nowhere else to build; only a multi-stage build already has the place.
  if (ctx.stages.length < 2) return [];
  const byInstall = new Map<OsPackageChange, ShellWord[]>();
  for (const [name, { word, change }] of packagesInFinalImage(ctx)) {
    if (!BUILD_TOOLS.test(name)) continue;
    const words = byInstall.get(change);
    if (words) words.push(word);
    else byInstall.set(change, [word]);
  }
  return [...byInstall].map(([change, words]) => ({
    message: `${change.cmd.name} installs build tools in the final stage (${words.map((w) => w.value).join(', ')}): build in an earlier stage and copy only the result`,
    range: { start: words[0].start, end: words[words.length - 1].end },
    fixes: [],
  }));
}

export default defineRule({
  meta: {
    id: 'build-tools-left',
    title: 'Compilers or build tools in the final stage',
    severity: 'info',
    targets: ['dockerfile'],
    rationale:
      'A compiler, `make` and development headers in the running image let an intruder build exploits and tools on the spot, and add packages whose vulnerabilities must be patched. A multi-stage build already has a place for them: the stage that builds. Single-stage files are not reported (they have no other stage to move the tools to), nor are build tools removed again in the same stage (`apk del .build-deps`, `apt-get purge`).',
    remediation: 'Install build tools in a build stage (`FROM … AS build`), build there, and `COPY --from=build` only the artefacts into the final stage; or remove them in the same RUN that used them (`apk add --virtual .build-deps gcc … && … && apk del .build-deps`).',
    refs: {},
    examples: {
      dockerfile: {
        bad: ['FROM golang:1.22 AS build\nRUN go build -o /out/app ./cmd/app\n\nFROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make libpq-dev\nCOPY --from=build /out/app /usr/local/bin/app\n'],
        good: [
          'FROM python:3.12-alpine AS build\nRUN apk add --no-cache gcc musl-dev && pip wheel --wheel-dir /wheels psycopg2==2.9.9\n\nFROM python:3.12-alpine\nCOPY --from=build /wheels /wheels\nRUN pip install --no-cache-dir /wheels/*.whl\n',
          'FROM alpine:3.20 AS base\n\nFROM base\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && make install && apk del .build-deps\n',
        ],
      },
    },
  },
  dockerfile: dockerfileCheck,
});
