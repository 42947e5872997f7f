"""The Spark job on a real standalone cluster: one master and two workers on
127.0.0.1, started from the pyspark package's own ``bin/spark-class`` and
stopped by the test however it ends; the job runs through it (driver here,
executors in the workers' JVMs) and finds exactly what ``neardup.Index``
finds."""

import pytest
from conftest import seed_corpus
from spark_cluster import StandaloneCluster
from spark_support import index_result, session, spark_result

import neardup


@pytest.fixture(scope="module")
def cluster():
    with StandaloneCluster(workers=2, cores=1, memory="1g") as c:
        yield c


def test_find_pairs_on_a_standalone_cluster(cluster):
    from neardup.spark import find_pairs

    spark = session(cluster.url, **{"spark.executor.memory": "512m", "spark.cores.max": "2"})
    try:
        sc = spark.sparkContext
        d = neardup.Detector(similar_units=True, max_bucket=3, boilerplate_contexts=3)
        articles = seed_corpus(200, 31)
        df = spark.createDataFrame(sc.parallelize(articles, 4), "id long, text string")
        found = find_pairs(df, d)
        got = spark_result(found)
        # Executors on both workers (the map also lists the driver).
        executors = sc._jsc.sc().getExecutorMemoryStatus().size() - 1
        found.unpersist()
    finally:
        spark.stop()
    expected = index_result(d, articles)
    assert len(expected[0]) > 50 and expected[1]["buckets"] > 0
    assert got == expected, cluster.logs()
    assert executors == 2, f"{executors} executors\n{cluster.logs()}"
