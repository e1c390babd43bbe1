/**
 * What the API accepts before any endpoint runs: JSON read with strict types (no string for a
 * number, no fraction for an integer, no duplicate keys), URLs and query strings that decode and
 * carry no control character, and Tomcat's own refusals (a malformed request line or header, a
 * head over 8 KB) answered as RFC 9457 problems like every other error.
 */
package dev.finetune.api.input;
