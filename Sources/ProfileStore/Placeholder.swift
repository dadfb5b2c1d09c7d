public enum ProfileStorePlaceholder {}
