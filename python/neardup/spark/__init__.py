"""neardup on Apache Spark: every pair of articles of a DataFrame that share
passages — exactly what ``neardup.Index(...).pairs()`` finds on the same
articles and settings — and the near-duplicate groups, computed one shuffle
at a time from the crate's public stages.

    from neardup.spark import find_pairs

    found = find_pairs(df, max_df=100)          # df: (id long, text string)
    found.pairs.write.parquet("pairs/")         # a, b, candidate_similarity, passages, ...
    print(found.groups, found.saturation)

As a command, on JSON lines or Parquet of ``{"id": .., "text": ..}``, writing
the records of the crate's ``corpus`` example::

    python -m neardup.spark INPUT OUTPUT_DIR [--master URL] [--max-df N] ...

Needs the ``spark`` extra: ``pip install "./python[spark]"`` (pyspark,
pyarrow), and Java 17 or later for Spark. On a cluster every executor needs
the ``neardup`` wheel installed (README.md, "On a Spark cluster").
"""

from ._job import Group, SparkPairs, find_pairs, report_dict, with_exact_duplicates

__all__ = ["Group", "SparkPairs", "find_pairs", "report_dict", "with_exact_duplicates"]
