// A short chime for a new message while the tab is in the background: off by
// default, chosen per device (Profile > Sound). Synthesized with Web Audio, so
// there is no sound file to fetch.

const KEY = "confab.sound";

export const soundWanted = () => localStorage.getItem(KEY) === "on";

let audio: AudioContext | null = null;

/** Turning it on is a click: the moment a browser lets a page start audio, so
 * the chime can play later while the tab is hidden. */
export function setSound(on: boolean): void {
  localStorage.setItem(KEY, on ? "on" : "off");
  if (on) {
    audio ??= new AudioContext();
    void audio.resume();
  }
}

/** Whether a message should chime: wanted, tab hidden, from someone else, and
 * its conversation not muted. */
export function shouldChime(m: { wanted: boolean; hidden: boolean; mine: boolean; muted: boolean }): boolean {
  return m.wanted && m.hidden && !m.mine && !m.muted;
}

/** Two soft notes, a fifth apart, 0.25 s in all. */
export function chime(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [660, 990].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.13);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.14);
    }
  } catch {
    // No audio on this device: the chime is a nicety.
  }
}
