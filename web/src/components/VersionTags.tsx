/** A version's tags as chips; `latest` is set by the server and looks different. */
export function VersionTags({ tags }: { tags: string[] }) {
  return (
    <>
      {tags.map((tag) => (
        <span key={tag} className={tag === 'latest' ? 'tag tag-latest' : 'tag tag-label'} data-tag={tag}>
          {tag}
        </span>
      ))}
    </>
  );
}
