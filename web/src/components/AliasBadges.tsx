/** Aliases as badges: `production → v3`, or just the name when the version is clear from context. */
export function AliasBadges({ aliases }: { aliases: [string, number | null][] }) {
  if (aliases.length === 0) return <span className="muted">—</span>;
  return (
    <span className="alias-badges">
      {aliases.map(([alias, version]) => (
        <span key={alias} className="tag tag-alias" data-alias={alias}>
          @{alias}
          {version !== null && ` → v${version}`}
        </span>
      ))}
    </span>
  );
}
