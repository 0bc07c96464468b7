import { createTwoFilesPatch } from 'diff';

/** A unified diff (`--- a/NAME`, `+++ b/NAME`, 3 lines of context) between two versions of a document. */
export function renderUnifiedDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: 3,
  }).replace(/^=+\n/, '');
}
