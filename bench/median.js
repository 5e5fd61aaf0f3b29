'use strict';
/** The median of some timings: what every bench row quotes (the machines are noisy). */
module.exports = function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
