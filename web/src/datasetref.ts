/** `owner/name@v3` (or `owner/name:tag`) as its parts, for a link to the dataset's page. */
export function datasetRef(input: string): { owner: string; name: string; version: string } | null {
  const match = /^([^/]+)\/([^@:]+)(?:[@:](.+))?$/.exec(input);
  return match ? { owner: match[1] ?? '', name: match[2] ?? '', version: match[3] ?? '' } : null;
}
