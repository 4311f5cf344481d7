interface Props {
  hasMore: boolean;
  onClick: () => void;
}

export function LoadMore({ hasMore, onClick }: Props) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" className="btn" onClick={onClick}>
        Load more
      </button>
    </div>
  );
}
