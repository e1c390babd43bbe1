-- Issue 16: a dataset's field mapping, stored with it and applied wherever it is read (upload
-- validation, preview, the worker): standard field name -> the key its records use, e.g.
-- {"prompt": "question", "completion": "answer"} for GSM8K. Empty: the standard key names.
ALTER TABLE datasets ADD COLUMN field_mapping jsonb NOT NULL DEFAULT '{}'::jsonb;
