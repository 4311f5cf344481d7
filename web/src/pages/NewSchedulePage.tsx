import { useNavigate, useParams } from 'react-router-dom';
import { createSchedule } from '../api';
import { Card } from '../components/Card';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { ScheduleForm } from '../components/ScheduleForm';
import { scheduleUrl, schedulesUrl } from '../paths';

/** `/g/:group/schedules/new`: a timetable and the job it submits. */
export function NewSchedulePage() {
  const group = useParams().group ?? '';
  const navigate = useNavigate();
  return (
    <div className="page" key={group}>
      <GroupPageHeader group={group} title="New schedule" description="Its jobs are submitted as you, under your quota in the group." />
      <Card title="Schedule">
        <ScheduleForm
          group={group}
          submitLabel="Create schedule"
          onSave={async (values) => navigate(scheduleUrl(group, (await createSchedule(group, values)).name))}
          onCancel={() => navigate(schedulesUrl(group))}
        />
      </Card>
    </div>
  );
}
