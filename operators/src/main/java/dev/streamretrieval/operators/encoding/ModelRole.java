package dev.streamretrieval.operators.encoding;

/** What a model is used for; each role has its own encoder class that validates the model for that use. */
public enum ModelRole {
    /** Bi-encoder producing one pooled vector per text (DPR style). */
    DENSE,
    /** Late-interaction encoder producing one vector per token (ColBERT style). */
    TOKEN,
    /** Sequence-classification model scoring a (query, passage) pair. */
    CROSS_ENCODER
}
