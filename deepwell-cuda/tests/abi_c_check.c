/* Compiled as strict C99 with warnings as errors: the C ABI headers must not need C++. */
#include "deepwell/deepwell.h"

int deepwell_abi_c_check(void);

int deepwell_abi_c_check(void) {
  dw_error_info info;
  dw_device_props props;
  dw_driver_report report;
  dw_library_report library;
  dw_copy_kind kind = DW_COPY_DEVICE_TO_DEVICE;
  (void)info;
  (void)props;
  (void)report;
  (void)library;
  return (int)kind + DW_ABI_VERSION;
}
