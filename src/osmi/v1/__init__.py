"""Generated from proto/ by scripts/generate_proto.sh; do not edit."""
