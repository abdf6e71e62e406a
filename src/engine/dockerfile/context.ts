import { DockerfileParser, type Dockerfile } from 'dockerfile-ast';
import { LineIndex } from '../text';

/** Everything a Dockerfile rule may look at, parsed once per lint. */
export interface DockerfileContext {
  file?: string;
  text: string;
  lines: LineIndex;
  dockerfile: Dockerfile;
}

export function createDockerfileContext(text: string, file?: string): DockerfileContext {
  return { file, text, lines: new LineIndex(text), dockerfile: DockerfileParser.parse(text) };
}
