# Sourced by the bin/ scripts: finds the bundle's home and a Java 17+ runtime, in this order:
# the bundle's own runtime/ (if one was added), $JAVA_HOME, java on PATH.
DEEPWELL_HOME=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
if [[ -x $DEEPWELL_HOME/runtime/bin/java ]]; then
  DEEPWELL_JAVA=$DEEPWELL_HOME/runtime/bin/java
elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
  DEEPWELL_JAVA=$JAVA_HOME/bin/java
elif command -v java >/dev/null 2>&1; then
  DEEPWELL_JAVA=$(command -v java)
else
  echo "deepwell: no Java runtime (17 or newer): set JAVA_HOME or put java on PATH" >&2
  exit 1
fi
