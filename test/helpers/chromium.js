'use strict';
/**
 * Debian's Chromium and the flags this closed-network machine needs: without the networking
 * ones, Chromium keeps trying hosts that the network refuses. Plain JavaScript, so that both
 * the browser tests (./browser.ts) and the bench (bench/browser.js) launch it the same way.
 */
const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

module.exports = { CHROMIUM, CHROMIUM_ARGS };
