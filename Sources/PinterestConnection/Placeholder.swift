public enum PinterestConnectionPlaceholder {}
