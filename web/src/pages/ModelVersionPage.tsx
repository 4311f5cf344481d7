import { Link, useParams } from 'react-router-dom';
import { getLineage, getModelVersion, listModelFiles, modelFileUrl, type ModelFile, type ModelVersion } from '../api';
import { AliasBadges } from '../components/AliasBadges';
import { Card } from '../components/Card';
import { DetailList } from '../components/DetailList';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LineageChain } from '../components/LineageChain';
import { LoadMore } from '../components/LoadMore';
import { SignatureView } from '../components/SignatureView';
import { Table } from '../components/Table';
import { baseName } from '../filetree';
import { formatBytes, formatDate } from '../format';
import { useLoader, usePaged } from '../hooks';
import { formatMetric } from '../metricseries';
import { modelUrl, runUrl } from '../paths';

function Overview({ version }: { version: ModelVersion }) {
  return (
    <DetailList
      testId="version-overview"
      rows={[
        ['Status', version.status],
        ['Flavors', <span key="f" className="mono">{version.flavors.join(', ') || '—'}</span>],
        ['Source', version.run_id ? <Link key="s" className="mono wrap" to={runUrl(version.group, version.run_id)}>{version.source}</Link> : version.source],
        ['Aliases', <AliasBadges key="a" aliases={version.aliases.map((a) => [a, null])} />],
        ['Files', `${version.file_count} (${formatBytes(version.size)})`],
        ['Created', `${formatDate(version.created_at)} by ${version.created_by ?? '—'}`],
      ]}
    />
  );
}

function Files({ version }: { version: ModelVersion }) {
  const { group, model, version: number } = version;
  const files = usePaged((cursor) => listModelFiles(group, model, number, cursor), `${group}/${model}/${number}`);
  return (
    <>
      <ErrorBanner message={files.error} />
      <Table<ModelFile>
        label="Files"
        rows={files.data}
        rowKey={(f) => f.path}
        empty="No files."
        loading={files.loading}
        columns={[
          {
            header: 'File',
            render: (f) => (
              <a className="mono" href={modelFileUrl(group, model, number, f.path)} download={baseName(f.path)}>
                {f.path}
              </a>
            ),
          },
          { header: 'Size', className: 'num', render: (f) => formatBytes(f.size) },
        ]}
      />
      <LoadMore hasMore={files.hasMore} onClick={files.loadMore} />
    </>
  );
}

function Pairs({ label, rows }: { label: string; rows: [string, string][] }) {
  return (
    <Table<[string, string]>
      label={label}
      rows={rows.sort(([a], [b]) => (a < b ? -1 : 1))}
      rowKey={([key]) => key}
      empty="None."
      columns={[
        { header: 'Key', render: ([key]) => <span className="mono">{key}</span> },
        { header: 'Value', className: 'mono', render: ([, value]) => value },
      ]}
    />
  );
}

function VersionView({ version }: { version: ModelVersion }) {
  const { group, model, version: number } = version;
  const lineage = useLoader(() => getLineage(group, model, number), `${group}/${model}/${number}`);
  const metrics = Object.entries(version.metrics).map(([key, value]): [string, string] => [key, formatMetric(Number(value))]);
  return (
    <>
      <Card title="Lineage">
        <ErrorBanner message={lineage.error} />
        {lineage.data && <LineageChain group={group} lineage={lineage.data} />}
      </Card>
      <div className="grid-2 align-start">
        <Card title="Version">
          <Overview version={version} />
        </Card>
        <div className="column">
          <Card title="Metrics snapshot">
            <Pairs label="Metrics snapshot" rows={metrics} />
          </Card>
          <Card title="Tags">
            <Pairs label="Tags" rows={Object.entries(version.tags)} />
          </Card>
        </div>
      </div>
      <Card title="Signature">
        <SignatureView signature={version.signature} />
      </Card>
      <Card title="Files">
        <Files version={version} />
      </Card>
    </>
  );
}

/** `/g/:group/models/:name/versions/:version`: one version, its files, signature, metrics and lineage. */
export function ModelVersionPage() {
  const params = useParams();
  const group = params.group ?? '';
  const name = params.name ?? '';
  const number = Number(params.version);
  const version = useLoader(() => getModelVersion(group, name, number), `${group}/${name}/${number}`);
  const current = version.data?.model === name && version.data.version === number ? version.data : undefined;
  return (
    <div className="page" key={`${group}/${name}/${number}`}>
      <div>
        <Link to={modelUrl(group, name)}>← {name}</Link>
      </div>
      <GroupPageHeader group={group} title={`${name} v${number}`} description={current?.description ?? undefined} />
      <ErrorBanner message={version.error} />
      {current ? <VersionView version={current} /> : !version.error && <p className="muted">Loading…</p>}
    </div>
  );
}
