// Dashboard addresses of dataset pages. A dataset is shown under the group the viewer is working
// in (`group`), and addressed in the API by the group that owns it (`owner`).

const seg = encodeURIComponent;

export const datasetsUrl = (group: string) => `/g/${seg(group)}/datasets`;

export const datasetUrl = (group: string, owner: string, name: string) =>
  `${datasetsUrl(group)}/${seg(owner)}/${seg(name)}`;
