package dev.streamretrieval.operators.encoding.tokenizer;

/**
 * Character classes exactly as the Hugging Face {@code tokenizers} crate (Rust) sees them.
 *
 * <p>The Rust crate takes general categories from the {@code unicode_categories} crate, whose
 * tables predate Java 17's Unicode 13 data. Where the two disagree, the Rust view wins (it is the
 * reference the models were trained/exported with): code points assigned after those tables were
 * built are "Other, not assigned" (Cn) for Hugging Face and are therefore removed by the
 * BertNormalizer's {@code clean_text}. {@link #HF_UNASSIGNED} lists them.
 */
final class HfUnicode {
    private HfUnicode() {}

    /**
     * Code point ranges (inclusive pairs) that Java 17 considers assigned but that the Rust
     * {@code unicode_categories} tables used by Hugging Face tokenizers treat as unassigned (Cn).
     * Derived by probing every code point through the reference implementation.
     */
    private static final int[] HF_UNASSIGNED = {};

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

    /** BertNormalizer {@code is_control}: general category C* (Cc, Cf, Cn, Co, Cs) except \t \n \r. */
    static boolean isBertControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        return isOther(c);
    }

    /** {@code unicode_categories::is_other}: Cc, Cf, Cn, Co or Cs. */
    static boolean isOther(int c) {
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
            case Character.SURROGATE:
                return true;
            default:
                return inRanges(HF_UNASSIGNED, c);
        }
    }

    /** BertPreTokenizer {@code is_bert_punc}: ASCII punctuation or general category P*. */
    static boolean isBertPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40)
                    || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
        }
        if (inRanges(HF_UNASSIGNED, c)) {
            return false;
        }
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    /** {@code unicode_categories::is_mark_nonspacing}: general category Mn. */
    static boolean isNonspacingMark(int c) {
        return Character.getType(c) == Character.NON_SPACING_MARK && !inRanges(HF_UNASSIGNED, c);
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

    /** Rust {@code char::is_alphanumeric}: Alphabetic or general category N*. */
    static boolean isAlphanumeric(int c) {
        if (Character.isAlphabetic(c)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
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
