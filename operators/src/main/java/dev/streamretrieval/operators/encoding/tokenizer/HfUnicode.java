package dev.streamretrieval.operators.encoding.tokenizer;

/**
 * Character classes exactly as the Hugging Face {@code tokenizers} crate (Rust, 0.21) sees them.
 *
 * <p>The Rust crate takes general categories from the {@code unicode_categories} crate, whose
 * tables are older (Unicode 8 era) than Java 17's Unicode 13 data, and whose "Other, not assigned"
 * (Cn) table is empty. So, for Hugging Face: unassigned code points are <em>not</em> control
 * characters (they survive {@code clean_text} and usually end up as {@code [UNK]}), and characters
 * whose category was assigned or changed after those tables differ from Java's view. The flip
 * tables below list exactly the code points where {@link Character#getType(int)} gives a different
 * answer than the Rust crate; they were derived by probing every code point (U+0000..U+10FFFF)
 * through the reference implementation (DJL 0.38 / tokenizers 0.21.4) and are re-checked
 * exhaustively by {@code WordPieceTokenizerTest}.
 */
final class HfUnicode {
    private HfUnicode() {}

    /** {@code is_other} (Cc/Cf/Co/Cs) differs from Java here (11 code points in 3 ranges). */
    private static final int[] OTHER_FLIP = {
        0x08E2, 0x08E2, 0x110CD, 0x110CD, 0x13430, 0x13438
    };

    /** {@code is_punctuation} (P*) differs from Java here, non-ASCII only (85 code points in 27 ranges). */
    private static final int[] PUNCT_FLIP = {
        0x09FD, 0x09FD, 0x0A76, 0x0A76, 0x0C77, 0x0C77, 0x0C84, 0x0C84, 0x166D, 0x166D,
        0x2E43, 0x2E4F, 0x2E52, 0x2E52, 0x10EAD, 0x10EAD, 0x10F55, 0x10F59, 0x111C9, 0x111C9,
        0x1144B, 0x1144F, 0x1145A, 0x1145B, 0x1145D, 0x1145D, 0x11660, 0x1166C, 0x1183B, 0x1183B,
        0x11944, 0x11946, 0x119E2, 0x119E2, 0x11A3F, 0x11A46, 0x11A9A, 0x11A9C, 0x11A9E, 0x11AA2,
        0x11C41, 0x11C45, 0x11C70, 0x11C71, 0x11EF7, 0x11EF8, 0x11FFF, 0x11FFF, 0x16E97, 0x16E9A,
        0x16FE2, 0x16FE2, 0x1E95E, 0x1E95F
    };

    /** {@code is_mark_nonspacing} (Mn) differs from Java here (272 code points in 71 ranges). */
    private static final int[] MN_FLIP = {
        0x07FD, 0x07FD, 0x08D3, 0x08E1, 0x09FE, 0x09FE, 0x0AFA, 0x0AFF, 0x0B55, 0x0B55,
        0x0C04, 0x0C04, 0x0D00, 0x0D00, 0x0D3B, 0x0D3C, 0x0D81, 0x0D81, 0x0EBA, 0x0EBA,
        0x1885, 0x1886, 0x1ABF, 0x1AC0, 0x1DF6, 0x1DF9, 0x1DFB, 0x1DFB, 0xA82C, 0xA82C,
        0xA8C5, 0xA8C5, 0xA8FF, 0xA8FF, 0xA9BD, 0xA9BD, 0x10D24, 0x10D27, 0x10EAB, 0x10EAC,
        0x10F46, 0x10F50, 0x111C9, 0x111C9, 0x111CF, 0x111CF, 0x1123E, 0x1123E, 0x1133B, 0x1133B,
        0x11438, 0x1143F, 0x11442, 0x11444, 0x11446, 0x11446, 0x1145E, 0x1145E, 0x1182F, 0x11837,
        0x11839, 0x1183A, 0x1193B, 0x1193C, 0x1193E, 0x1193E, 0x11943, 0x11943, 0x119D4, 0x119D7,
        0x119DA, 0x119DB, 0x119E0, 0x119E0, 0x11A01, 0x11A0A, 0x11A33, 0x11A38, 0x11A3B, 0x11A3E,
        0x11A47, 0x11A47, 0x11A51, 0x11A56, 0x11A59, 0x11A5B, 0x11A8A, 0x11A96, 0x11A98, 0x11A99,
        0x11C30, 0x11C36, 0x11C38, 0x11C3D, 0x11C3F, 0x11C3F, 0x11C92, 0x11CA7, 0x11CAA, 0x11CB0,
        0x11CB2, 0x11CB3, 0x11CB5, 0x11CB6, 0x11D31, 0x11D36, 0x11D3A, 0x11D3A, 0x11D3C, 0x11D3D,
        0x11D3F, 0x11D45, 0x11D47, 0x11D47, 0x11D90, 0x11D91, 0x11D95, 0x11D95, 0x11D97, 0x11D97,
        0x11EF3, 0x11EF4, 0x16F4F, 0x16F4F, 0x16FE4, 0x16FE4, 0x1E000, 0x1E006, 0x1E008, 0x1E018,
        0x1E01B, 0x1E021, 0x1E023, 0x1E024, 0x1E026, 0x1E02A, 0x1E130, 0x1E136, 0x1E2EC, 0x1E2EF,
        0x1E944, 0x1E94A
    };

    /** Rust {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int c) {
        switch (c) {
            case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
            case 0x85: case 0xA0: case 0x1680:
            case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200A;
        }
    }

    /** BertNormalizer {@code is_whitespace}: White_Space (which already includes \t \n \r). */
    static boolean isBertWhitespace(int c) {
        return isWhitespace(c);
    }

    /** BertNormalizer {@code is_control}: {@link #isOther} except \t \n \r. */
    static boolean isBertControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        return isOther(c);
    }

    /**
     * {@code unicode_categories::is_other}: Cc, Cf, Co or Cs in the crate's (old) tables; its Cn
     * table is empty, so unassigned code points are not "other".
     */
    static boolean isOther(int c) {
        boolean java;
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
                java = true;
                break;
            default:
                java = false;
        }
        return java != inRanges(OTHER_FLIP, c);
    }

    /** BertPreTokenizer {@code is_bert_punc}: ASCII punctuation or general category P*. */
    static boolean isBertPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40)
                    || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
        }
        boolean java;
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                java = true;
                break;
            default:
                java = false;
        }
        return java != inRanges(PUNCT_FLIP, c);
    }

    /** {@code unicode_categories::is_mark_nonspacing}: general category Mn. */
    static boolean isNonspacingMark(int c) {
        return (Character.getType(c) == Character.NON_SPACING_MARK) != inRanges(MN_FLIP, c);
    }

    /** BertNormalizer {@code is_chinese_char} (tokenizers 0.21 ranges). */
    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    /**
     * Rust {@code regex} {@code \\w} (Unicode): Alphabetic, marks (M*), decimal digits (Nd),
     * connector punctuation (Pc) or Join_Control. Used for added tokens' {@code single_word}.
     */
    static boolean isWordChar(int c) {
        if (Character.isAlphabetic(c) || c == 0x200C || c == 0x200D) {
            return true;
        }
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK:
            case Character.ENCLOSING_MARK:
            case Character.COMBINING_SPACING_MARK:
            case Character.DECIMAL_DIGIT_NUMBER:
            case Character.CONNECTOR_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    private static boolean inRanges(int[] ranges, int c) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (c < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (c > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
