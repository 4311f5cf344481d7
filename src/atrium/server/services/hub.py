"""The service container and first-start bootstrap."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from atrium.contracts.users import UserCreate
from atrium.server.backends.blobstore import BlobStore
from atrium.server.backends.notify.smtp import SmtpConfig
from atrium.server.domain.clock import Clock
from atrium.server.services import security
from atrium.server.services.audit import Auditor, AuditService
from atrium.server.services.auth import AuthService
from atrium.server.services.blobs import BlobService
from atrium.server.services.dataset_versions import VersionService
from atrium.server.services.datasets import DatasetService
from atrium.server.services.groups import GroupService, MemberService
from atrium.server.services.instance_types import DEFAULT, InstanceTypeService
from atrium.server.services.invitations import InvitationService
from atrium.server.services.job_admission import JobAdmission
from atrium.server.services.job_launch import Launcher
from atrium.server.services.job_monitor import JobMonitor
from atrium.server.services.job_outputs import JobOutputs
from atrium.server.services.job_runs import JobRuns
from atrium.server.services.job_runtime import JobRuntime
from atrium.server.services.job_signal import JobSignal
from atrium.server.services.job_specs import SpecChecker
from atrium.server.services.jobs import JobService
from atrium.server.services.notifications import NotificationService, notification_service
from atrium.server.services.quotas import QuotaService
from atrium.server.services.registry import Registry
from atrium.server.services.schedule_ticks import ScheduleTicks
from atrium.server.services.schedules import ScheduleService
from atrium.server.services.secret_box import SecretBox
from atrium.server.services.secrets import SecretService
from atrium.server.services.tracking import Tracking
from atrium.server.services.usage_report import UsageReportService
from atrium.server.services.users import UserService
from atrium.server.store import users as user_store
from atrium.server.store.db import Database


@dataclass(frozen=True)
class Bootstrap:
    """What the first start created; ``password`` is set only when it was generated."""

    admin_created: bool
    password: str | None


@dataclass
class Hub:
    db: Database
    clock: Clock
    auditor: Auditor
    auth: AuthService
    users: UserService
    groups: GroupService
    members: MemberService
    quotas: QuotaService
    instance_types: InstanceTypeService
    invitations: InvitationService
    audit: AuditService
    blobs: BlobStore
    datasets: DatasetService
    versions: VersionService
    transfers: BlobService
    secrets: SecretService
    usage_report: UsageReportService
    jobs: JobService
    job_outputs: JobOutputs
    job_admission: JobAdmission
    job_monitor: JobMonitor
    schedules: ScheduleService
    schedule_ticks: ScheduleTicks
    notifications: NotificationService
    tracking: Tracking
    registry: Registry

    @classmethod
    def build(
        cls,
        db: Database,
        clock: Clock,
        session_ttl: timedelta,
        blobs: BlobStore,
        secret_box: SecretBox,
        runtime: JobRuntime,
        smtp: SmtpConfig | None = None,
    ) -> Hub:
        auditor = Auditor(clock)
        auth = AuthService(db, clock, auditor, session_ttl)
        users = UserService(db, clock, auditor)
        quotas = QuotaService(db, clock, auditor)
        versions = VersionService(db, clock, auditor, blobs, quotas)
        secret_service = SecretService(db, clock, auditor, secret_box)
        checker = SpecChecker(secret_service, runtime.executor, runtime.environments_root)
        signal = JobSignal()
        notifications = notification_service(
            db, clock, auditor, secret_box, smtp, runtime.public_url
        )
        tracking = Tracking.build(db, clock, auditor, blobs, quotas)
        job_runs = JobRuns(clock, tracking.runs)
        monitor = JobMonitor(
            db, clock, quotas, auth, blobs, runtime, signal, notifications, job_runs
        )
        jobs = JobService(db, clock, auditor, checker, signal, notifications, job_runs)
        launcher = Launcher(db, clock, runtime, versions, secret_service, checker, job_runs)
        return cls(
            db=db,
            clock=clock,
            auditor=auditor,
            auth=auth,
            users=users,
            groups=GroupService(db, clock, auditor),
            members=MemberService(db, clock, auditor),
            quotas=quotas,
            instance_types=InstanceTypeService(db, clock, auditor),
            invitations=InvitationService(db, clock, auditor, users, auth),
            audit=AuditService(db),
            blobs=blobs,
            datasets=DatasetService(db, clock, auditor),
            versions=versions,
            transfers=BlobService(db, clock, auditor, blobs),
            secrets=secret_service,
            usage_report=UsageReportService(db, clock),
            jobs=jobs,
            job_outputs=JobOutputs(db, blobs, runtime),
            job_admission=JobAdmission(db, clock, quotas, auth, runtime, launcher, monitor),
            job_monitor=monitor,
            schedules=ScheduleService(db, clock, auditor, jobs),
            schedule_ticks=ScheduleTicks(db, jobs),
            notifications=notifications,
            tracking=tracking,
            registry=Registry.build(db, clock, auditor, blobs, quotas),
        )

    def bootstrap(self, admin_password: str | None) -> Bootstrap:
        """On an empty hub create the platform admin ``admin`` and the global ``cpu-1`` type."""
        with self.db.read() as s:
            if user_store.count_any(s) > 0:
                return Bootstrap(admin_created=False, password=None)
        generated = None if admin_password else secrets.token_urlsafe(12)
        password = admin_password or generated
        assert password is not None
        password_hash = security.hash_password(password)
        with self.db.write() as s:
            # Another replica may have bootstrapped while we hashed.
            if user_store.count_any(s) > 0:
                return Bootstrap(admin_created=False, password=None)
            admin = UserCreate(username="admin", password=password, is_admin=True)
            self.users.insert(s, admin, password_hash)
            self.instance_types.insert(s, DEFAULT)
        return Bootstrap(admin_created=True, password=generated)
