/**
 * Small building blocks shared by every feature package: the base class for entities whose UUID
 * is assigned by the application (so Spring Data persists instead of merging them), the
 * lower-case "wire" enum contract used for database and JSON values, and argument checks that fail
 * fast with a message naming the offending field.
 */
package dev.finetune.core.common;
