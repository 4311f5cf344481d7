// Dashboard addresses. A dataset is shown under the group the viewer is working in (`group`),
// and addressed in the API by the group that owns it (`owner`).

const seg = encodeURIComponent;

export const groupUrl = (group: string) => `/g/${seg(group)}`;

export const datasetsUrl = (group: string) => `${groupUrl(group)}/datasets`;

export const datasetUrl = (group: string, owner: string, name: string) =>
  `${datasetsUrl(group)}/${seg(owner)}/${seg(name)}`;

export const jobsUrl = (group: string) => `${groupUrl(group)}/jobs`;

export const jobUrl = (group: string, id: number) => `${jobsUrl(group)}/${id}`;

/** The submit form, prefilled with job `cloneOf`'s spec when given. */
export const newJobUrl = (group: string, cloneOf?: number) => `${jobsUrl(group)}/new${cloneOf ? `?clone=${cloneOf}` : ''}`;

export const schedulesUrl = (group: string) => `${groupUrl(group)}/schedules`;

export const scheduleUrl = (group: string, name: string) => `${schedulesUrl(group)}/${seg(name)}`;

export const experimentsUrl = (group: string) => `${groupUrl(group)}/experiments`;

export const runsUrl = (group: string, experiment?: string) =>
  `${groupUrl(group)}/runs${experiment ? `?experiment=${seg(experiment)}` : ''}`;

export const runUrl = (group: string, id: string) => `${groupUrl(group)}/runs/${seg(id)}`;

export const compareUrl = (group: string, ids: string[]) => `${groupUrl(group)}/runs/compare?ids=${ids.map(seg).join(',')}`;

export const modelsUrl = (group: string) => `${groupUrl(group)}/models`;

export const modelUrl = (group: string, name: string) => `${modelsUrl(group)}/${seg(name)}`;

export const versionUrl = (group: string, name: string, version: number) => `${modelUrl(group, name)}/versions/${version}`;
