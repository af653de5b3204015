"""Whole-database and filestore scans of the privacy tests (ARC-13, ARC-14): they
know no table, so a model that keeps personal data without being in the
personal-data map is found too."""

import json
import os


def db_hits(env, terms):
    """Tables of the database with a text, varchar, json or jsonb column holding one
    of ``terms`` (also as JSON escapes them, also the last 8 digits of a phone in
    any formatting)."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        """
        SELECT c.table_name, array_agg(c.column_name::text)
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('character varying', 'text', 'json', 'jsonb')
      GROUP BY c.table_name
        """
    )
    needles = set()
    for term in terms:
        needles |= {term, json.dumps(term)[1:-1]}
        digits = "".join(ch for ch in term if ch.isdigit())
        if len(digits) >= 8:
            needles.add(digits[-8:])
    patterns = [f"%{needle}%" for needle in needles]
    hits = []
    for table, columns in cr.fetchall():
        texts = [f'"{col}"::text' for col in columns]
        # A phone in another formatting: also compared without its separators.
        texts += [f"regexp_replace({text}, '[\\s().-]', '', 'g')" for text in texts]
        condition = " OR ".join(f"{text} ILIKE ANY(%(p)s)" for text in texts)
        cr.execute(
            f'SELECT 1 FROM "{table}" WHERE {condition} LIMIT 1', {"p": patterns}
        )
        if cr.fetchone():
            hits.append(table)
    return hits


def filestore_files(env):
    """Every file of the database's filestore."""
    root = env["ir.attachment"]._filestore()
    return {
        os.path.join(folder, fname)
        for folder, _dirs, files in os.walk(root)
        for fname in files
    }


def filestore_hits(paths, needles):
    """The files among ``paths`` containing one of ``needles``."""
    hits = []
    for path in paths:
        if os.path.exists(path):
            with open(path, "rb") as handle:
                content = handle.read()
            if any(needle.encode() in content for needle in needles):
                hits.append(path)
    return hits
