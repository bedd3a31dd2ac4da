// Preact with htm's tagged templates: components without a build step.
import { h, render, createContext, Fragment } from '../vendor/preact.mjs';
import { useState, useEffect, useRef, useCallback, useMemo, useContext, useId } from '../vendor/preact-hooks.mjs';
import htm from '../vendor/htm.mjs';

export const html = htm.bind(h);
export { h, render, createContext, Fragment, useState, useEffect, useRef, useCallback, useMemo, useContext, useId };
