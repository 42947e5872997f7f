"""``python -m neardup.spark INPUT OUTPUT_DIR [OPTIONS]``: the crate's
``corpus`` example on Spark (see ``neardup.spark._command``). Also a script
for ``spark-submit``, which runs files rather than modules::

    spark-submit [SPARK OPTIONS] "$(python -c 'import neardup.spark.__main__ as m; print(m.__file__)')" \
        INPUT OUTPUT_DIR [OPTIONS]
"""

import sys

from neardup.spark._command import main

if __name__ == "__main__":
    sys.exit(main())
