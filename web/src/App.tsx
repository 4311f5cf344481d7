import { useEffect, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes, useNavigate } from 'react-router-dom';
import { setUnauthenticatedHandler } from './api';
import { RequireAdmin } from './components/RequireAdmin';
import { RequireSession } from './components/RequireSession';
import { AdminAuditPage } from './pages/AdminAuditPage';
import { AdminGroupsPage } from './pages/AdminGroupsPage';
import { AdminInstanceTypesPage } from './pages/AdminInstanceTypesPage';
import { AdminUsersPage } from './pages/AdminUsersPage';
import { CompareRunsPage } from './pages/CompareRunsPage';
import { DatasetPage } from './pages/DatasetPage';
import { DatasetsPage } from './pages/DatasetsPage';
import { ExperimentsPage } from './pages/ExperimentsPage';
import { GroupPage } from './pages/GroupPage';
import { HomePage } from './pages/HomePage';
import { InvitePage } from './pages/InvitePage';
import { JobPage } from './pages/JobPage';
import { JobsPage } from './pages/JobsPage';
import { LoginPage } from './pages/LoginPage';
import { NewSchedulePage } from './pages/NewSchedulePage';
import { ModelPage } from './pages/ModelPage';
import { ModelsPage } from './pages/ModelsPage';
import { ModelVersionPage } from './pages/ModelVersionPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ProfilePage } from './pages/ProfilePage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SchedulePage } from './pages/SchedulePage';
import { SchedulesPage } from './pages/SchedulesPage';
import { SecretsPage } from './pages/SecretsPage';
import { SubmitJobPage } from './pages/SubmitJobPage';
import { UsagePage } from './pages/UsagePage';

/** On any 401, go to /login and remember where the user was heading. */
function UnauthenticatedRedirect() {
  const navigate = useNavigate();
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      const { pathname, search, hash } = window.location;
      if (pathname === '/login') return;
      navigate(`/login?next=${encodeURIComponent(pathname + search + hash)}`, { replace: true });
    });
  }, [navigate]);
  return null;
}

const admin = (page: ReactNode) => <RequireAdmin>{page}</RequireAdmin>;

export function App() {
  return (
    <BrowserRouter>
      <UnauthenticatedRedirect />
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/invite" element={<InvitePage />} />
        <Route element={<RequireSession />}>
          <Route index element={<HomePage />} />
          <Route path="/g/:group" element={<GroupPage />} />
          <Route path="/g/:group/datasets" element={<DatasetsPage />} />
          <Route path="/g/:group/datasets/:owner/:name" element={<DatasetPage />} />
          <Route path="/g/:group/jobs" element={<JobsPage />} />
          <Route path="/g/:group/jobs/new" element={<SubmitJobPage />} />
          <Route path="/g/:group/jobs/:id" element={<JobPage />} />
          <Route path="/g/:group/experiments" element={<ExperimentsPage />} />
          <Route path="/g/:group/runs" element={<RunsPage />} />
          <Route path="/g/:group/runs/compare" element={<CompareRunsPage />} />
          <Route path="/g/:group/runs/:id" element={<RunPage />} />
          <Route path="/g/:group/models" element={<ModelsPage />} />
          <Route path="/g/:group/models/:name" element={<ModelPage />} />
          <Route path="/g/:group/models/:name/versions/:version" element={<ModelVersionPage />} />
          <Route path="/g/:group/schedules" element={<SchedulesPage />} />
          <Route path="/g/:group/schedules/new" element={<NewSchedulePage />} />
          <Route path="/g/:group/schedules/:name" element={<SchedulePage />} />
          <Route path="/g/:group/secrets" element={<SecretsPage />} />
          <Route path="/g/:group/usage" element={<UsagePage />} />
          <Route path="/profile" element={<ProfilePage />} />
          <Route path="/admin/users" element={admin(<AdminUsersPage />)} />
          <Route path="/admin/groups" element={admin(<AdminGroupsPage />)} />
          <Route path="/admin/instance-types" element={admin(<AdminInstanceTypesPage />)} />
          <Route path="/admin/audit" element={admin(<AdminAuditPage />)} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
