/**
 * The dashboard: static pages under {@code classpath:/static/} (served at {@code /} by the app
 * that carries this jar) that talk only to the public REST API with the user's API key, plus the
 * one piece of server code they need, {@link dev.finetune.webui.DashboardPagesSecurity}: the pages
 * themselves are public, with strict security headers, while {@code /api/v1/**} keeps asking for
 * a key.
 */
package dev.finetune.webui;
