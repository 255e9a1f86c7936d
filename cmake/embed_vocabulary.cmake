# Writes a C++ file returning src/directory/vocabulary.tsv as a string: the shipped vocabulary is in the binary,
# like the migrations, so that one file is all an operator deploys.
file(READ ${IN} content)
set(out "// Generated from src/directory/vocabulary.tsv: do not edit.\n#include \"directory/vocabulary.hpp\"\nnamespace cordee::directory {\nstd::string_view ShippedVocabulary() {\n  static const char text[] = R\"cordee_tsv(${content})cordee_tsv\";\n  return {text, sizeof text - 1};\n}\n}  // namespace cordee::directory\n")
file(WRITE ${OUT}.tmp "${out}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
