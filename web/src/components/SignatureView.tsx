interface Field {
  name?: string;
  type?: string;
}

/** MLflow keeps each side of a signature as a JSON string of column specs; parse it when so. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function Side({ label, value }: { label: string; value: unknown }) {
  const spec = parsed(value);
  if (Array.isArray(spec) && spec.every((f) => typeof f === 'object' && f !== null)) {
    return (
      <table aria-label={`Signature ${label}`}>
        <thead>
          <tr>
            <th>{label}</th>
            <th>Type</th>
          </tr>
        </thead>
        <tbody>
          {(spec as Field[]).map((field, i) => (
            <tr key={i}>
              <td className="mono">{field.name ?? `#${i}`}</td>
              <td className="mono">{field.type ?? JSON.stringify(field)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <div>
      <h3>{label}</h3>
      <pre className="mono wrap">{JSON.stringify(spec, null, 2)}</pre>
    </div>
  );
}

/** A version's signature: inputs and outputs as name/type tables (other fields as JSON). */
export function SignatureView({ signature }: { signature: Record<string, unknown> | null }) {
  if (!signature) return <p className="muted">No signature recorded.</p>;
  return (
    <div className="grid-2 align-start">
      {Object.entries(signature)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([side, value]) => (
          <Side key={side} label={side} value={value} />
        ))}
    </div>
  );
}
