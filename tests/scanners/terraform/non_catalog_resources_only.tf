# Ordinary infrastructure: the pre-filter skips parsing and nothing is reported.
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}

locals {
  name = "web"
}
