// The audio with its waveform: both channels drawn from peaks the server computed (the
// browser never decodes the recording), every timed finding a region at its time.

import RegionsPlugin from "/static/vendor/wavesurfer.js/plugins/regions.esm.js";
import WaveSurfer from "/static/vendor/wavesurfer.js/wavesurfer.esm.js";
import { label, t } from "/static/js/common.js";

const ROLE_COLORS = {
  agent: { wave: "#4f7cc9", progress: "#1f4e9c" },
  customer: { wave: "#d58a3a", progress: "#9c5a14" },
};
const OTHER_COLORS = { wave: "#8a8f98", progress: "#4b5058" };
const SEVERITY_COLORS = {
  critical: "rgba(200, 30, 30, 0.30)",
  major: "rgba(230, 120, 0, 0.28)",
  minor: "rgba(200, 170, 0, 0.25)",
  info: "rgba(80, 120, 200, 0.20)",
};
const CHANNEL_HEIGHT = 56;
const MIN_REGION_S = 0.4;

export async function createPlayer({ container, labels, audio, data, onRegionClick }) {
  // A network failure ("Failed to fetch") is said in the page's words, like an HTTP error.
  const failed = (status) => Object.assign(new Error(t("waveform_failed", { status })), { forPeople: true });
  const reply = await fetch(data.peaks_url, { credentials: "same-origin" }).catch(() => {
    throw failed(t("offline"));
  });
  if (!reply.ok) throw failed(reply.status);
  const peaks = await reply.json();
  const channels = peaks.peaks.map((values) => Float32Array.from(values, (v) => v / peaks.scale));
  // A mono recording is one waveform of both parties; findings then span its height.
  const roles = (data.roles.mono ? ["mono"] : [data.roles.left, data.roles.right]).slice(0, channels.length);
  labels.replaceChildren(
    ...roles.map((role) => {
      const node = document.createElement("span");
      node.textContent = label("role", role);
      node.className = `role-${role}`;
      return node;
    }),
  );
  const regions = RegionsPlugin.create();
  const wavesurfer = WaveSurfer.create({
    container,
    media: audio,
    peaks: channels,
    duration: peaks.duration,
    normalize: true,
    height: CHANNEL_HEIGHT,
    splitChannels: roles.map((role) => {
      const colors = ROLE_COLORS[role] || OTHER_COLORS;
      return { waveColor: colors.wave, progressColor: colors.progress, height: CHANNEL_HEIGHT };
    }),
    cursorColor: "#c00",
    cursorWidth: 2,
    dragToSeek: true,
    autoScroll: true,
    autoCenter: false,
    hideScrollbar: false,
    plugins: [regions],
  });
  // Regions added after the peaks are in know the channel count (a finding sits on its
  // speaker's channel) and are drawn at once.
  await new Promise((resolve) => wavesurfer.once("ready", resolve));
  const channelOf = Object.fromEntries(roles.map((role, i) => [role, i]));
  data.findings.forEach((finding, k) => {
    if (finding.whole_call || finding.start_s === null || finding.start_s === undefined) return;
    const region = regions.addRegion({
      id: `finding-${finding.id}`,
      start: finding.start_s,
      end: Math.max(finding.end_s ?? finding.start_s, finding.start_s + MIN_REGION_S),
      color: SEVERITY_COLORS[finding.severity] || SEVERITY_COLORS.info,
      drag: false,
      resize: false,
      channelIdx: finding.role in channelOf ? channelOf[finding.role] : -1,
    });
    region.element?.setAttribute("title", `${label("category", finding.category)} · ${finding.description || finding.rule_name || ""}`);
    region.element?.classList.add("finding-region", `sev-${finding.severity}`);
    region.on("click", (event) => {
      event.stopPropagation();
      onRegionClick(k);
    });
  });
  return { wavesurfer, regions, duration: peaks.duration };
}
